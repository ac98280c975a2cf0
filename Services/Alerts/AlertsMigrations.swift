import Logging
import Stores

extension AlertsService {
    /// Applies the alerts database migrations, as the service does at start (under the migrator's advisory lock, so a
    /// migration Job and starting replicas can run together); returns the versions applied now.
    public static func migrate(database: PostgresClient, logger: Logger) async throws -> [Int] {
        try await PostgresMigrator(client: database, migrations: AlertSchema.migrations, logger: logger).migrate()
    }
}
