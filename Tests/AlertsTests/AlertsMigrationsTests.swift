import EmbeddedStores
import Logging
import Stores
import Testing

@testable import AlertsService

/// `txad-alerts --migrate-only` (the Kubernetes migration Job) applies every migration once; a second run, or the
/// service starting afterwards, applies nothing.
@Suite(.timeLimit(.minutes(5)))
struct AlertsMigrationsTests {
    @Test func migrateAppliesEveryVersionOnceAndIsIdempotent() async throws {
        let postgres = try await EmbeddedPostgres.start()
        let database = try PostgresClient(url: postgres.url)
        do {
            let logger = Logger(label: "test.migrations")
            let first = try await AlertsService.migrate(database: database, logger: logger)
            #expect(first == AlertSchema.migrations.map(\.version))
            let second = try await AlertsService.migrate(database: database, logger: logger)
            #expect(second.isEmpty)
            let rows = try await database.query("SELECT count(*) AS n FROM predictions")
            #expect(try rows.first?.int64("n") == 0)
        } catch {
            await database.shutdown()
            try? await postgres.stop()
            throw error
        }
        await database.shutdown()
        try await postgres.stop()
    }
}
