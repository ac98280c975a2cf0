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

/// The prediction flow of SPEC §5: cache → preprocess → score → record → respond.
///
/// Batches are split into chunks that run concurrently over the RPC connection pools (and across inference replicas
/// when several are configured). Alerts are answered only after the alerts service acknowledged them durably; when it
/// is unreachable they go to the gateway's own fsync'ed spool and the answer says `"alert_status": "queued"`.
struct PredictionPipeline: Sendable {
    let preprocessing: PreprocessingClient
    let inference: InferenceClient
    let alerts: AlertsClient
    let cache: PredictionCache
    let spool: DurableSpool
    let chunkSize: Int
    let logger: Logger

    /// Scores `transactions` (all valid) within `deadline`, returning one outcome per transaction, in order.
    func predict(_ transactions: [Transaction], requestID: String, deadline: Duration) async -> [ItemOutcome] {
        let start = ContinuousClock.now
        let clock = DeadlineClock(start: start, budget: deadline)
        // Within one request a repeated id is scored once; its other positions get the same answer.
        var firstIndex: [String: Int] = [:]
        var unique: [Transaction] = []
        for t in transactions where firstIndex[t.transactionID] == nil {
            firstIndex[t.transactionID] = unique.count
            unique.append(t)
        }
        let ids = unique.map(\.transactionID)
        var outcomes: [String: ItemOutcome] = [:]
        for (id, hit) in await cache.lookup(ids) { outcomes[id] = .prediction(hit, cached: true) }

        let misses = unique.filter { outcomes[$0.transactionID] == nil }
        let claimed = await cache.claim(misses.map(\.transactionID))
        let mine = misses.filter { claimed.contains($0.transactionID) }
        let others = misses.filter { !claimed.contains($0.transactionID) }

        let fresh = await score(mine, requestID: requestID, clock: clock)
        for (id, outcome) in fresh { outcomes[id] = outcome }
        if !others.isEmpty {
            for (id, outcome) in await awaitOtherRequests(others.map(\.transactionID), clock: clock) {
                outcomes[id] = outcome
            }
        }
        return transactions.map { t in
            outcomes[t.transactionID]
                ?? .failure(.unavailable("no result for \(t.transactionID)", requestID: requestID))
        }
    }

    /// Scores claimed transactions in concurrent chunks, caches the results and releases failed claims.
    private func score(
        _ transactions: [Transaction], requestID: String, clock: DeadlineClock
    ) async -> [String: ItemOutcome] {
        guard !transactions.isEmpty else { return [:] }
        let chunks = stride(from: 0, to: transactions.count, by: chunkSize).map {
            Array(transactions[$0..<min($0 + chunkSize, transactions.count)])
        }
        var outcomes: [String: ItemOutcome] = [:]
        await withTaskGroup(of: [(String, ItemOutcome)].self) { group in
            for chunk in chunks {
                group.addTask {
                    do {
                        let predictions = try await scoreChunk(chunk, requestID: requestID, clock: clock)
                        return zip(chunk, predictions).map { ($0.transactionID, .prediction($1, cached: false)) }
                    } catch {
                        let problem = Self.problem(for: error, requestID: requestID)
                        return chunk.map { ($0.transactionID, .failure(problem)) }
                    }
                }
            }
            for await results in group {
                for (id, outcome) in results { outcomes[id] = outcome }
            }
        }
        var toCache: [(String, CachedPrediction)] = []
        var failed: [String] = []
        for t in transactions {
            switch outcomes[t.transactionID] {
            case .prediction(let p, _)?: toCache.append((t.transactionID, p))
            default: failed.append(t.transactionID)
            }
        }
        await cache.store(toCache)
        await cache.release(failed)
        return outcomes
    }

    private func scoreChunk(
        _ chunk: [Transaction], requestID: String, clock: DeadlineClock
    ) async throws -> [CachedPrediction] {
        let vectors = try await preprocessing.preprocess(
            PreprocessRequest(transactions: chunk),
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
                transaction: chunk[i], score: scores[i], degraded: vectors[i].degraded, requestID: requestID,
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

    /// Waits (polling the cache) for ids another request is scoring right now.
    private func awaitOtherRequests(_ ids: [String], clock: DeadlineClock) async -> [String: ItemOutcome] {
        var pending = Set(ids)
        var outcomes: [String: ItemOutcome] = [:]
        while !pending.isEmpty, !clock.isExpired {
            try? await Task.sleep(for: .milliseconds(5))
            for (id, hit) in await cache.lookup(Array(pending)) {
                outcomes[id] = .prediction(hit, cached: true)
                pending.remove(id)
            }
        }
        for id in pending {
            outcomes[id] = .failure(
                ProblemDetails(
                    status: 409, title: "Transaction in progress",
                    detail: "transaction \(id) is being scored by another request; retry to get its cached result",
                    retryAfterSeconds: 1))
        }
        return outcomes
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
