import EmbeddedStores
import Testing

@testable import Stores

#if canImport(Glibc)
    import Glibc
#endif

/// Each test owns its `redis-server`, because it stops, kills or freezes it under a live client.
@Suite("RedisClient when redis-server restarts, dies or hangs", .timeLimit(.minutes(2)))
struct RedisRecoveryTests {
    /// Runs `body` with a fresh server and a client on it; stops both afterwards.
    private func withServer(
        poolSize: Int = 2, commandTimeout: Duration = .seconds(5),
        _ body: (EmbeddedRedis, RedisClient) async throws -> Void
    ) async throws {
        let server = try await EmbeddedRedis.start(logger: StoreFixtures.logger)
        do {
            try await StoreFixtures.withRedis(url: server.url, poolSize: poolSize, commandTimeout: commandTimeout) {
                try await body(server, $0)
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    /// Uses every pooled connection at once so all of them are open.
    private func warmUp(_ redis: RedisClient, connections: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<connections * 4 {
                group.addTask { try await redis.set("warm:\(index)", to: index) }
            }
            try await group.waitForAll()
        }
    }

    @Test func nextCallAfterARestartSucceeds() async throws {
        try await withServer { server, redis in
            try await warmUp(redis, connections: 2)
            let before = server.pid
            try await server.restart()
            #expect(server.pid != before)
            // Every idle connection is stale now; each call must notice before sending and re-dial.
            for index in 0..<6 {
                #expect(try await redis.set("after:\(index)", to: "v"))
                #expect(try await redis.get("after:\(index)") == Array("v".utf8))
            }
            #expect(try await redis.get("warm:0") == nil)  // a throwaway server comes back empty
        }
    }

    @Test func callsWhileRedisIsDownFailFastThenRecover() async throws {
        try await withServer { server, redis in
            try await warmUp(redis, connections: 2)
            try await server.kill()
            #expect(server.isRunning == false)
            for _ in 0..<3 {
                let error = await #expect(throws: StoreError.self) { try await redis.ping() }
                #expect(error?.code == .unavailable)
            }
            try await server.restart()
            try await redis.ping()
            #expect(try await redis.set("back", to: "yes"))
        }
    }

    @Test func aFrozenServerTimesOutInsteadOfHanging() async throws {
        try await withServer(poolSize: 1, commandTimeout: .milliseconds(300)) { server, redis in
            try await redis.ping()
            let pid = try #require(server.pid)
            #expect(kill(pid, SIGSTOP) == 0)
            let error = await #expect(throws: StoreError.self) { try await redis.ping() }
            #expect(kill(pid, SIGCONT) == 0)
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("no reply within") == true, "\(error?.message ?? "")")
            try await redis.ping()
        }
    }
}
