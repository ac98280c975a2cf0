import Credentials
import EmbeddedStores
import Foundation
import Logging
import Stores

/// Shared helpers: a fresh database with the API key table per test, Redis clients, a quiet logger.
enum AuthFixtures {
    static let logger: Logger = {
        var logger = Logger(label: "txad.auth-tests")
        logger.logLevel = .critical
        return logger
    }()

    /// A name no other test uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
    }

    /// A new database on the test PostgreSQL with migration 40 applied; returns its URL.
    static func freshDatabase() async throws -> String {
        let base = try await TestStores.postgresURL()
        let name = uniqueName("auth")
        let admin = PostgresClient(configuration: try .init(url: base, poolSize: 1), logger: logger)
        _ = try await admin.execute("CREATE DATABASE \(name)")
        await admin.shutdown()
        guard let slash = base.lastIndex(of: "/") else { throw StoreError(.invalidConfiguration, "odd URL") }
        let url = String(base[..<slash]) + "/" + name
        let client = PostgresClient(configuration: try .init(url: url, poolSize: 1), logger: logger)
        try await PostgresMigrator(client: client, migrations: APIKeyStore.migrations, logger: logger).migrate()
        await client.shutdown()
        return url
    }

    /// A client on `url` (caller shuts it down).
    static func postgres(_ url: String, poolSize: Int = 2) throws -> PostgresClient {
        PostgresClient(configuration: try .init(url: url, poolSize: poolSize), logger: logger)
    }
}
