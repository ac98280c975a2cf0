import Detection
import Domain
import Logging
import Metrics
import Stores
import Wire

/// `txad.v1.Preprocessing`: transactions → feature vectors, with each user's history kept in Redis.
///
/// Uses the same ``Detection/FeatureExtractor`` as offline training, so online features equal offline ones. A batch
/// is handled in two pipelined Redis round trips (read all users' states, compare-and-set all new states); users
/// whose state changed in between (another replica) are re-read and recomputed. When Redis is unavailable the
/// service answers with cold-start features and `degraded = true` rather than failing.
public struct PreprocessingService: Preprocessing.ServiceProtocol {
    private let redis: RedisClient?
    private let stateStore: UserStateStore?
    private let extractors: ExtractorProvider
    private let logger: Logger
    private let maximumAttempts = 32
    private let locks = UserLocks()
    private let degradedCounter = Counter(label: "txad_preprocessing_degraded_total")
    private let transactionsCounter = Counter(label: "txad_preprocessing_transactions_total")
    private let conflictCounter = Counter(label: "txad_preprocessing_state_conflicts_total")

    /// - Parameters:
    ///   - redis: where user state lives; nil serves cold-start (degraded) features only.
    ///   - stateTTL: how long an inactive user's state is kept.
    public init(redis: RedisClient?, stateTTL: Duration, extractors: ExtractorProvider, logger: Logger) {
        self.redis = redis
        self.stateStore = redis.map { UserStateStore(redis: $0, ttl: stateTTL, logger: logger) }
        self.extractors = extractors
        self.logger = logger
    }

    public func preprocess(_ request: PreprocessRequest, context: RPCContext) async throws -> PreprocessResponse {
        for (index, t) in request.transactions.enumerated() {
            let problems = TransactionRules.problems(in: t)
            if !problems.isEmpty {
                throw RPCError(
                    code: .invalidArgument,
                    message: "transaction \(index) (\(t.transactionID)): "
                        + problems.map(\.description).joined(separator: "; "))
            }
        }
        transactionsCounter.increment(by: request.transactions.count)
        let extractor = extractors.current
        guard let stateStore else {
            return PreprocessResponse(vectors: coldStart(request.transactions, extractor: extractor))
        }
        do {
            return PreprocessResponse(vectors: try await enrich(request.transactions, store: stateStore, extractor: extractor))
        } catch let error as StoreError where error.code == .unavailable || error.code == .shutDown {
            degradedCounter.increment(by: request.transactions.count)
            context.logger.warning("Redis unavailable; serving cold-start features", metadata: ["error": "\(error)"])
            return PreprocessResponse(vectors: coldStart(request.transactions, extractor: extractor))
        }
    }

    /// Features from an empty history, flagged degraded.
    private func coldStart(_ transactions: [Transaction], extractor: FeatureExtractor) -> [FeatureVector] {
        transactions.map { t in
            extractor.extract(t, state: UserState())
                .featureVector(transactionID: t.transactionID, userID: t.userID, degraded: true)
        }
    }

    /// Reads every user's state, computes features in arrival order, and writes the states back atomically.
    private func enrich(
        _ transactions: [Transaction], store: UserStateStore, extractor: FeatureExtractor
    ) async throws -> [FeatureVector] {
        var positionsByUser: [String: [Int]] = [:]
        var users: [String] = []
        for (i, t) in transactions.enumerated() {
            if positionsByUser[t.userID] == nil { users.append(t.userID) }
            positionsByUser[t.userID, default: []].append(i)
        }
        var vectors = [FeatureVector?](repeating: nil, count: transactions.count)
        var pending = users
        var attempt = 0
        var locked: [String] = []
        while !pending.isEmpty {
            attempt += 1
            guard attempt <= maximumAttempts else {
                await locks.release(locked)
                throw RPCError(
                    code: .aborted,
                    message: "user state kept changing under \(pending.count) users after \(maximumAttempts) attempts")
            }
            let stored: [[UInt8]?]
            do {
                stored = try await store.read(pending)
            } catch {
                await locks.release(locked)
                throw error
            }
            var updates: [(userID: String, expected: [UInt8]?, new: [UInt8])] = []
            var computed: [[(Int, FeatureVector)]] = []
            for (user, bytes) in zip(pending, stored) {
                var state = UserState()
                if let bytes {
                    do {
                        state = try UserState(serialized: bytes)
                    } catch {
                        // A state from an older format or damaged bytes: start the user over rather than fail.
                        logger.warning("discarding unreadable user state", metadata: ["user_id": "\(user)", "error": "\(error)"])
                    }
                }
                var results: [(Int, FeatureVector)] = []
                for position in positionsByUser[user] ?? [] {
                    let t = transactions[position]
                    let result = extractor.extract(t, state: state)
                    state = result.nextState
                    let vector = result.featureVector(transactionID: t.transactionID, userID: t.userID, degraded: false)
                    results.append((position, vector))
                }
                updates.append((user, bytes, state.serialized()))
                computed.append(results)
            }
            let written: [Bool]
            do {
                written = try await store.write(updates)
            } catch {
                await locks.release(locked)
                throw error
            }
            var retry: [String] = []
            for (index, ok) in written.enumerated() {
                if ok {
                    for (position, vector) in computed[index] { vectors[position] = vector }
                } else {
                    retry.append(updates[index].userID)
                }
            }
            if !retry.isEmpty, locked.isEmpty {
                // First conflict: retry holding this replica's locks for those users.
                await locks.acquire(retry)
                locked = retry
            }
            if !retry.isEmpty {
                conflictCounter.increment(by: retry.count)
                // Back off with jitter so replicas racing for the same user do not collide again in lockstep.
                try? await Task.sleep(for: .microseconds(Int.random(in: 0...(200 * min(attempt, 20)))))
            }
            pending = retry
        }
        await locks.release(locked)
        let complete = vectors.compactMap { $0 }
        guard complete.count == transactions.count else {
            throw RPCError(code: .internalError, message: "features missing for \(transactions.count - complete.count) rows")
        }
        return complete
    }
}
