import Domain
import Logging
import NIOPosix
import Stores
import Wire

/// The outcome for one valid input item.
enum ItemOutcome: Sendable {
    /// Scored now or served from the cache.
    case prediction(CachedPrediction, cached: Bool)
    /// Could not be scored (a dependency failed, or the same id is being scored by another request right now).
    case failure(ProblemDetails)
}

/// One valid transaction to score, with the id of the HTTP request it came in.
struct PredictionItem: Sendable {
    var transaction: Transaction
    var requestID: String
}

/// The prediction flow of SPEC §5: cache → preprocess → score → record → respond.
///
/// Batches are split into chunks that run concurrently over the RPC connection pools (and across inference replicas
/// when several are configured); a user's rows stay in one lane, scored in arrival order (``lanes(_:chunkSize:)``).
/// Alerts are answered only after the alerts service acknowledged them durably; when it is unreachable they go to
/// the gateway's own fsync'ed spool and the answer says `"alert_status": "queued"`.
struct PredictionPipeline: Sendable {
    let preprocessing: PreprocessingClient
    let inference: InferenceClient
    let alerts: AlertsClient
    let cache: PredictionCache
    let spool: DurableSpool
    let chunkSize: Int
    let logger: Logger

    /// Scores `items` (all valid) within `deadline`, returning one outcome per item, in order.
    ///
    /// `requestID` goes on the internal calls' envelopes; each item keeps its own request id in what is recorded
    /// (they differ when concurrent single predictions are scored together). `answered`, when given, receives the
    /// outcomes settled so far after each round, so callers can answer those items before ids that another request is
    /// still scoring have been waited for.
    func predict(
        _ items: [PredictionItem], requestID: String, deadline: Duration,
        answered: (@Sendable ([String: ItemOutcome]) -> Void)? = nil
    ) async -> [ItemOutcome] {
        let clock = DeadlineClock(start: .now, budget: deadline)
        // Within one call a repeated id is scored once; its other positions get the same answer.
        var seen: Set<String> = []
        var unique: [PredictionItem] = []
        unique.reserveCapacity(items.count)
        for item in items where seen.insert(item.transaction.transactionID).inserted { unique.append(item) }

        var outcomes: [String: ItemOutcome] = [:]
        var pending = unique
        while !pending.isEmpty {
            let lookup = await cache.lookupOrClaim(pending.map(\.transaction.transactionID))
            var mine: [PredictionItem] = []
            var claimed: Set<String> = []
            var others: [PredictionItem] = []
            var settled: [String: ItemOutcome] = [:]
            for (item, entry) in zip(pending, lookup.entries) {
                switch entry {
                case .hit(let prediction): settled[item.transaction.transactionID] = .prediction(prediction, cached: true)
                case .claimed:
                    mine.append(item)
                    claimed.insert(item.transaction.transactionID)
                case .uncached: mine.append(item)
                case .inProgress: others.append(item)
                }
            }
            let fresh = await score(mine, requestID: requestID, clock: clock)
            await cacheResults(fresh, claimed: claimed, claim: lookup.claim)
            settled.merge(fresh) { first, _ in first }
            outcomes.merge(settled) { first, _ in first }
            if !settled.isEmpty { answered?(settled) }
            pending = others
            guard !pending.isEmpty else { break }
            // Another request is scoring these ids: wait for its answer (or for its claim to be released), until the
            // deadline or a cancellation.
            var waited = !clock.isExpired
            if waited { waited = (try? await Task.sleep(for: .milliseconds(5))) != nil }
            if !waited {
                for item in pending { outcomes[item.transaction.transactionID] = .failure(Self.inProgress(item)) }
                break
            }
        }
        return items.map { item in
            outcomes[item.transaction.transactionID]
                ?? .failure(.unavailable("no result for \(item.transaction.transactionID)", requestID: item.requestID))
        }
    }

    private static func inProgress(_ item: PredictionItem) -> ProblemDetails {
        ProblemDetails(
            status: 409, title: "Transaction in progress",
            detail: "transaction \(item.transaction.transactionID) is being scored by another request; retry to get its "
                + "cached result",
            requestID: item.requestID, retryAfterSeconds: 1)
    }

    /// Scores transactions in concurrent lanes of whole users (``lanes(_:chunkSize:)``): one user's rows are scored
    /// in arrival order, one chunk after the other, so their features see the same history as when sent one by one;
    /// different users' lanes run concurrently.
    private func score(
        _ items: [PredictionItem], requestID: String, clock: DeadlineClock
    ) async -> [String: ItemOutcome] {
        guard !items.isEmpty else { return [:] }
        var outcomes: [String: ItemOutcome] = [:]
        await withTaskGroup(of: [(String, ItemOutcome)].self) { group in
            for lane in Self.lanes(items, chunkSize: chunkSize) {
                group.addTask {
                    var results: [(String, ItemOutcome)] = []
                    for chunk in lane {
                        do {
                            let predictions = try await scoreChunk(chunk, requestID: requestID, clock: clock)
                            results += zip(chunk, predictions).map {
                                ($0.transaction.transactionID, ItemOutcome.prediction($1, cached: false))
                            }
                        } catch {
                            results += chunk.map {
                                let problem = Self.problem(for: error, requestID: $0.requestID)
                                return ($0.transaction.transactionID, ItemOutcome.failure(problem))
                            }
                        }
                    }
                    return results
                }
            }
            for await results in group {
                for (id, outcome) in results { outcomes[id] = outcome }
            }
        }
        return outcomes
    }

    /// Splits `items` into lanes that hold whole users: users in order of first appearance, each with its rows in
    /// arrival order, packed into a lane until the next user would take it past `chunkSize` rows. A lane is one
    /// chunk, except for a user with more than `chunkSize` rows, whose lane is cut into chunks of `chunkSize` that
    /// are scored one after the other. So a batch of many users keeps about `count / chunkSize` concurrent chunks,
    /// and no user's rows are ever scored concurrently (their order would then depend on timing).
    static func lanes(_ items: [PredictionItem], chunkSize: Int) -> [[[PredictionItem]]] {
        var groupOfUser: [String: Int] = [:]
        var groups: [[PredictionItem]] = []
        for item in items {
            if let index = groupOfUser[item.transaction.userID] {
                groups[index].append(item)
            } else {
                groupOfUser[item.transaction.userID] = groups.count
                groups.append([item])
            }
        }
        var lanes: [[PredictionItem]] = []
        var current: [PredictionItem] = []
        for group in groups {
            if !current.isEmpty && current.count + group.count > chunkSize {
                lanes.append(current)
                current = []
            }
            current += group
        }
        if !current.isEmpty { lanes.append(current) }
        let size = max(1, chunkSize)
        return lanes.map { lane in
            stride(from: 0, to: lane.count, by: size).map { Array(lane[$0..<min($0 + size, lane.count)]) }
        }
    }

    /// Caches fresh answers and releases this lookup's claims on the ids that failed.
    private func cacheResults(_ outcomes: [String: ItemOutcome], claimed: Set<String>, claim: [UInt8]) async {
        var toCache: [(String, CachedPrediction)] = []
        var failed: [String] = []
        for (id, outcome) in outcomes {
            switch outcome {
            case .prediction(let p, _): toCache.append((id, p))
            case .failure: if claimed.contains(id) { failed.append(id) }
            }
        }
        await cache.store(toCache)
        await cache.release(failed, claim: claim)
    }

    private func scoreChunk(
        _ chunk: [PredictionItem], requestID: String, clock: DeadlineClock
    ) async throws -> [CachedPrediction] {
        let vectors = try await preprocessing.preprocess(
            PreprocessRequest(transactions: chunk.map(\.transaction)),
            options: CallOptions(deadline: clock.remaining, requestID: requestID)
        ).vectors
        guard vectors.count == chunk.count else {
            throw RPCError(code: .internalError, message: "preprocessing returned \(vectors.count) of \(chunk.count)")
        }
        let scores = try await inference.score(
            ScoreRequest(vectors: vectors), options: CallOptions(deadline: clock.remaining, requestID: requestID)
        ).scores
        guard scores.count == chunk.count else {
            throw RPCError(code: .internalError, message: "inference returned \(scores.count) of \(chunk.count)")
        }
        let now = Self.unixMillis()
        let scored = (0..<chunk.count).map { i in
            ScoredTransaction(
                transaction: chunk[i].transaction, score: scores[i], degraded: vectors[i].degraded,
                requestID: chunk[i].requestID,
                scoredAtMillis: now)
        }
        let alertOutcome = try await record(scored, requestID: requestID, clock: clock)
        return (0..<chunk.count).map { i in
            let score = scores[i]
            let status: AlertOutcome = score.riskLevel >= .medium ? alertOutcome : .none
            return CachedPrediction(
                riskLevel: score.riskLevel, isAnomaly: score.isAnomaly,
                json: PredictionJSON.render(score: score, degraded: vectors[i].degraded, alertStatus: status))
        }
    }

    /// Hands scored transactions to the alerts service; spools them locally when it cannot be reached.
    private func record(
        _ scored: [ScoredTransaction], requestID: String, clock: DeadlineClock
    ) async throws -> AlertOutcome {
        let request = RecordRequest(items: scored)
        let failure: RPCError
        do {
            _ = try await alerts.record(
                request, options: CallOptions(deadline: clock.remaining, requestID: requestID))
            return .recorded
        } catch {
            failure = error
        }
        guard failure.code == .unavailable || failure.code == .deadlineExceeded else { throw failure }
        logger.warning(
            "alerts service unreachable; spooling records",
            metadata: ["error": "\(failure)", "items": "\(scored.count)"])
        let bytes = try request.serialized()
        let spool = self.spool
        try await NIOThreadPool.singleton.runIfActive { try spool.append([bytes]) }
        return .queued
    }

    static func problem(for error: any Error, requestID: String) -> ProblemDetails {
        guard let rpc = error as? RPCError else {
            return .unavailable("\(error)", requestID: requestID)
        }
        switch rpc.code {
        case .invalidArgument:
            return ProblemDetails(status: 422, title: "Invalid transaction", detail: rpc.message, requestID: requestID)
        case .failedPrecondition:
            return .unavailable("no model is loaded: \(rpc.message)", requestID: requestID)
        case .deadlineExceeded:
            return ProblemDetails(
                status: 503, title: "Dependency too slow", detail: rpc.message, requestID: requestID,
                retryAfterSeconds: 1)
        case .resourceExhausted:
            return ProblemDetails(
                status: 429, title: "Overloaded", detail: rpc.message, requestID: requestID, retryAfterSeconds: 1)
        default:
            return .unavailable(rpc.message, requestID: requestID)
        }
    }

    static func unixMillis() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec / 1_000_000)
    }
}

/// The time left of one request's deadline.
struct DeadlineClock: Sendable {
    let start: ContinuousClock.Instant
    let budget: Duration

    /// What is left (at least 1 ms, so a call still gets a chance to fail with DEADLINE_EXCEEDED).
    var remaining: Duration { max(.milliseconds(1), budget - (ContinuousClock.now - start)) }

    var isExpired: Bool { ContinuousClock.now - start >= budget }
}
