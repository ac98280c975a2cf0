import Auth
import EmbeddedStores
import Foundation
import Logging
import Stores
import Testing

@testable import Dashboard

/// Sessions in a real `redis-server` (the shared test store).
@Suite struct RedisSessionStoreTests {
    private func withStore(_ body: (RedisSessionStore, RedisClient) async throws -> Void) async throws {
        let configuration = try RedisClient.Configuration(url: try await TestStores.redisURL(), poolSize: 2)
        let redis = RedisClient(configuration: configuration, logger: Logger(label: "dashboard-tests"))
        let prefix = "test:dashboard:\(UUID().uuidString):"
        do {
            try await body(RedisSessionStore(redis: redis, prefix: prefix), redis)
        } catch {
            await redis.shutdown()
            throw error
        }
        await redis.shutdown()
    }

    @Test func aSessionLivesUntilItEnds() async throws {
        try await withStore { store, redis in
            let principal = Principal(name: "ann <analyst>", role: .analyst, method: .session)
            let session = try await store.create(for: principal, lifetime: .seconds(600))
            #expect(session.id.count == 64)
            #expect(session.csrfToken.count == 32)
            let loaded = try #require(try await store.session(id: session.id))
            #expect(loaded == session)
            #expect(try await redis.get(session.id) == nil, "the key is the id's hash, not the id")
            let ttl = try await redis.timeToLive(store.key(session.id))
            guard case .seconds(let seconds) = ttl else {
                Issue.record("the session key has no expiry: \(ttl)")
                return
            }
            #expect((1...600).contains(seconds))
            try await store.end(id: session.id)
            #expect(try await store.session(id: session.id) == nil)
        }
    }

    @Test func unknownAndMalformedIdsFindNothing() async throws {
        try await withStore { store, _ in
            #expect(try await store.session(id: String(repeating: "a", count: 64)) == nil)
            #expect(try await store.session(id: "../../etc") == nil)
            #expect(try await store.session(id: "") == nil)
            let other = try await store.create(
                for: Principal(name: "bob", role: .scorer, method: .session), lifetime: .seconds(60))
            #expect(try await store.session(id: other.id)?.principal.role == .scorer)
            try await store.end(id: String(repeating: "b", count: 64))
        }
    }
}
