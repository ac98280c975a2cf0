import EmbeddedStores
import Foundation
import Logging
import Stores
import Testing

@testable import Dashboard

/// Batch analysis results in a real `redis-server` (the shared test store) and in memory: owner-only, a TTL, the
/// capacity evicting the oldest, the size limit refusing what is too large.
@Suite struct BatchResultStoreTests {
    private func answer(_ ids: [String]) -> [UInt8] {
        let results = ids.map { id in
            """
            {"transaction_id":"\(id)","is_anomaly":false,"risk_level":"low","scores":{"isolation_forest":0.1,\
            "autoencoder":0.2,"ensemble":0.15},"threshold":0.5,"model_version":"v1","reasons":[],"cached":false}
            """
        }
        return Array(
            (#"{"results":["# + results.joined(separator: ",")
                + #"],"errors":[],"summary":{"total":1,"scored":1,"anomalies":0,"by_risk":{"low":1}}}"#).utf8)
    }

    private func add(_ store: BatchResultStore, _ ids: [String], owner: String = "ann") async throws -> String {
        let body = answer(ids)
        let document = try #require(APIDocuments.decode(APIDocuments.Batch.self, from: body))
        return try await store.add(body: body, document: document, owner: owner, filename: "in.csv").get()
    }

    private func withRedis(_ body: (RedisClient, String) async throws -> Void) async throws {
        let configuration = try RedisClient.Configuration(url: try await TestStores.redisURL(), poolSize: 2)
        let redis = RedisClient(configuration: configuration, logger: Logger(label: "dashboard-tests"))
        do {
            try await body(redis, "test:batch:\(UUID().uuidString):")
        } catch {
            await redis.shutdown()
            throw error
        }
        await redis.shutdown()
    }

    @Test func redisKeepsBatchesForTheirOwnerWithATTL() async throws {
        try await withRedis { redis, prefix in
            let store = BatchResultStore(redis: redis, prefix: prefix, lifetime: .seconds(600))
            #expect(store.isShared)
            let id = try await add(store, ["t1", "t2"])
            // Another replica: a second store over the same Redis.
            let other = BatchResultStore(redis: redis, prefix: prefix, lifetime: .seconds(600))
            let batch = try #require(try await other.batch(id, owner: "ann"))
            #expect(batch.document.results.map(\.transactionID) == ["t1", "t2"])
            #expect(batch.filename == "in.csv")
            #expect(try await other.batch(id, owner: "bob") == nil, "another principal's batch")
            #expect(try await other.batch("0123", owner: "ann") == nil, "not an id")
            #expect(try await redis.get(prefix + id) == nil, "the key is the id's hash, not the id")
            let keys = try await redis.command("KEYS", prefix + "*").array?.compactMap(\.string) ?? []
            let key = try #require(keys.first { !$0.hasSuffix("index") })
            guard case .seconds(let seconds) = try await redis.timeToLive(key) else {
                Issue.record("the batch key has no expiry")
                return
            }
            #expect((1...600).contains(seconds))
        }
    }

    @Test func redisEvictsTheOldestBeyondTheCapacity() async throws {
        try await withRedis { redis, prefix in
            let store = BatchResultStore(redis: redis, prefix: prefix, capacity: 2)
            var ids: [String] = []
            for n in 0..<4 {
                ids.append(try await add(store, ["t\(n)"]))
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(try await store.batch(ids[0], owner: "ann") == nil)
            #expect(try await store.batch(ids[1], owner: "ann") == nil)
            #expect(try await store.batch(ids[2], owner: "ann") != nil)
            #expect(try await store.batch(ids[3], owner: "ann") != nil)
            let keys = try await redis.command("KEYS", prefix + "*").array ?? []
            #expect(keys.count == 3, "two batches and the index")
        }
    }

    @Test func tooLargeAnswersAreRefusedNotTruncated() async throws {
        try await withRedis { redis, prefix in
            for store in [
                BatchResultStore(redis: redis, prefix: prefix, maximumBytes: 400), BatchResultStore(maximumBytes: 400),
            ] {
                let body = answer(["t1", "t2", "t3"])
                let document = try #require(APIDocuments.decode(APIDocuments.Batch.self, from: body))
                let outcome = await store.add(body: body, document: document, owner: "ann", filename: "big.csv")
                guard case .failure(.tooLarge(let bytes)) = outcome else {
                    Issue.record("kept \(body.count) bytes over a 400-byte limit: \(outcome)")
                    continue
                }
                #expect(bytes == body.count)
            }
        }
    }

    @Test func memoryKeepsBatchesInThisProcess() async throws {
        let store = BatchResultStore(capacity: 2)
        #expect(!store.isShared)
        let ids = [try await add(store, ["a"]), try await add(store, ["b"]), try await add(store, ["c"])]
        #expect(try await store.batch(ids[0], owner: "ann") == nil, "evicted")
        #expect(try await store.batch(ids[2], owner: "ann")?.document.results.first?.transactionID == "c")
        #expect(try await store.batch(ids[2], owner: "bob") == nil)
        #expect(store.policy == "30 minutes, 2 batches at most")
    }
}
