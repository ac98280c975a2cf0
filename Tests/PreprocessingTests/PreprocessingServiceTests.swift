import Detection
import Domain
import EmbeddedStores
import Logging
import PreprocessingService
import Stores
import Testing
import Wire

/// The preprocessing service over real frames and a real Redis.
@Suite(.timeLimit(.minutes(5)))
struct PreprocessingServiceTests {
    private static let logger = Logger(label: "test.preprocessing")

    /// Priors fitted on the data, as training would.
    private static func extractors(_ transactions: [Transaction]) throws -> ExtractorProvider {
        let priors = transactions.isEmpty ? FeaturePriors.neutral : try FeaturePriors.fit(transactions)
        return ExtractorProvider(source: { ("test", priors) }, logger: logger)
    }

    /// Runs a preprocessing server on a free port and hands a client to `body`.
    private static func withService(
        redis: RedisClient?, extractors: ExtractorProvider, replicas: Int = 1,
        _ body: ([PreprocessingClient]) async throws -> Void
    ) async throws {
        let servers = (0..<replicas).map { _ in
            RPCServer(
                configuration: .init(host: "127.0.0.1", port: 0),
                services: [
                    PreprocessingService(redis: redis, stateTTL: .seconds(3600), extractors: extractors, logger: logger)
                ], logger: logger)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var clients: [(RPCClient, PreprocessingClient)] = []
            for server in servers {
                let address = try await server.listen()
                group.addTask { try await server.run() }
                let rpc = RPCClient(
                    configuration: .init(
                        targets: [.init(host: "127.0.0.1", port: address.port ?? 0)], defaultDeadline: .seconds(30)))
                clients.append((rpc, PreprocessingClient(wrapping: rpc)))
            }
            do {
                try await body(clients.map(\.1))
            } catch {
                for (rpc, _) in clients { await rpc.close() }
                group.cancelAll()
                throw error
            }
            for (rpc, _) in clients { await rpc.close() }
            group.cancelAll()
        }
    }

    private static func generated(count: Int, users: Int, seed: UInt64) throws -> [Transaction] {
        try TransactionGenerator(configuration: .init(count: count, users: users, seed: seed)).generate().transactions
    }

    @Test func onlineFeaturesEqualOfflineReplay() async throws {
        let transactions = try Self.generated(count: 4000, users: 40, seed: 5)
        let extractors = try Self.extractors(transactions)
        let offline = FeatureReplay(priors: extractors.current.priors).run(transactions)
        let redis = try RedisClient(url: try await TestStores.redisURL())
        // A fresh key space per run: user ids are namespaced by the test's own prefix.
        let prefix = "parity-\(UInt32.random(in: 0...UInt32.max))-"
        let renamed = transactions.map { t -> Transaction in
            var t = t
            t.userID = prefix + t.userID
            return t
        }
        try await Self.withService(redis: redis, extractors: extractors) { clients in
            var online: [FeatureVector] = []
            for start in stride(from: 0, to: renamed.count, by: 250) {
                let batch = Array(renamed[start..<min(start + 250, renamed.count)])
                online += try await clients[0].preprocess(PreprocessRequest(transactions: batch)).vectors
            }
            #expect(online.count == transactions.count)
            var mismatches = 0
            for (row, vector) in online.enumerated() {
                #expect(!vector.degraded)
                let expected = offline.matrix[row: row].map(Double.init)
                if vector.values != expected { mismatches += 1 }
            }
            #expect(mismatches == 0, "online features differ from offline replay in \(mismatches) rows")
        }
        await redis.shutdown()
    }

    @Test func concurrentReplicasNeverLoseAStateUpdate() async throws {
        let redis = try RedisClient(url: try await TestStores.redisURL())
        let user = "race-\(UInt32.random(in: 0...UInt32.max))"
        let transactions = (0..<200).map { i in
            Transaction(
                transactionID: "\(user)-\(i)", userID: user, timestampMillis: 1_714_000_000_000 + Int64(i) * 60_000,
                amount: 20 + Double(i % 7))
        }
        try await Self.withService(redis: redis, extractors: try Self.extractors(transactions), replicas: 2) { clients in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (i, t) in transactions.enumerated() {
                    let client = clients[i % 2]
                    group.addTask { _ = try await client.preprocess(PreprocessRequest(transactions: [t])) }
                }
                try await group.waitForAll()
            }
        }
        let stored = try #require(try await redis.get("txad:user:\(user)"))
        #expect(try UserState(serialized: stored).transactionCount == transactions.count)
        await redis.shutdown()
    }

    @Test func redisDownGivesDegradedColdStartFeatures() async throws {
        let deadPort = try Loopback.freePort()
        let redis = try RedisClient(url: "redis://127.0.0.1:\(deadPort)")
        let t = Transaction(transactionID: "t1", userID: "u1", timestampMillis: 1_714_000_000_000, amount: 12)
        let extractors = try Self.extractors([t])
        try await Self.withService(redis: redis, extractors: extractors) { clients in
            let vectors = try await clients[0].preprocess(PreprocessRequest(transactions: [t])).vectors
            #expect(vectors.count == 1)
            #expect(vectors[0].degraded)
            let coldStart = extractors.current.extract(t, state: UserState()).values.map(Double.init)
            #expect(vectors[0].values == coldStart)
        }
        await redis.shutdown()
    }

    @Test func invalidTransactionsAreRefusedWithTheField() async throws {
        let t = Transaction(transactionID: "bad id", userID: "u1", timestampMillis: 0, amount: -1)
        try await Self.withService(redis: nil, extractors: try Self.extractors([])) { clients in
            do {
                _ = try await clients[0].preprocess(PreprocessRequest(transactions: [t]))
                Issue.record("expected INVALID_ARGUMENT")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains("amount"))
            }
        }
    }
}
