import EmbeddedStores
import Testing

@testable import Stores

/// Each test owns its PostgreSQL, because it restarts or crashes it under a live client.
@Suite("PostgresClient when PostgreSQL restarts or dies", .timeLimit(.minutes(3)))
struct PostgresRecoveryTests {
    private func withServer(_ body: (EmbeddedPostgres, PostgresClient) async throws -> Void) async throws {
        let server = try await EmbeddedPostgres.start(logger: StoreFixtures.logger)
        do {
            try await StoreFixtures.withPostgres(url: server.url, poolSize: 2) { try await body(server, $0) }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    private func warmUp(_ db: PostgresClient) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { _ = try await db.query("SELECT pg_sleep(0.01)") } }
            try await group.waitForAll()
        }
    }

    @Test func nextQueryAfterARestartSucceeds() async throws {
        try await withServer { server, db in
            try await db.execute("CREATE TABLE kept (id int)")
            try await db.execute("INSERT INTO kept VALUES ($1)", [7])
            try await warmUp(db)
            try await server.restart()
            // Both idle connections were terminated by the fast shutdown; each call must re-dial first.
            for _ in 0..<4 {
                #expect(try await db.query("SELECT id FROM kept")[0].int("id") == 7)
            }
        }
    }

    @Test func queriesWhilePostgresIsDownFailFastThenRecover() async throws {
        try await withServer { server, db in
            // The throwaway cluster commits asynchronously; this commit must reach the WAL before the crash.
            try await db.withTransaction { tx in
                try await tx.execute("SET LOCAL synchronous_commit = on")
                try await tx.execute("CREATE TABLE kept (id int)")
                try await tx.execute("INSERT INTO kept VALUES ($1)", [1])
            }
            try await warmUp(db)
            try await server.kill()
            #expect(server.isRunning == false)
            for _ in 0..<3 {
                let error = await #expect(throws: StoreError.self) { try await db.ping() }
                #expect(error?.code == .unavailable)
            }
            try await server.restart()  // crash recovery
            #expect(try await db.query("SELECT count(*) AS n FROM kept")[0].int("n") == 1)
        }
    }
}
