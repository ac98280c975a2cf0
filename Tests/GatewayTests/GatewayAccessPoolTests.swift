import Auth
import Credentials
import EmbeddedStores
import Foundation
import Logging
import Stores
import Testing

@testable import GatewayService

/// The gateway opens one PostgreSQL pool for the model registry and the API keys when both use the same URL.
@Suite("Gateway access shares the gateway's PostgreSQL pool")
struct GatewayAccessPoolTests {
    static let logger: Logger = {
        var logger = Logger(label: "txad.gateway-pool-tests")
        logger.logLevel = .critical
        return logger
    }()

    @Test("same URL: the key store uses the given client and owns no pool; another URL: it opens its own")
    func sharedPool() async throws {
        // A schema of its own with the API key table.
        let base = try await TestStores.postgresURL()
        let schema = "pool_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let admin = try PostgresClient(configuration: .init(url: base, poolSize: 1), logger: Self.logger)
        try await admin.execute("CREATE SCHEMA \(schema)")
        let url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        let shared = try PostgresClient(configuration: .init(url: url, poolSize: 1), logger: Self.logger)
        try await PostgresMigrator(client: shared, migrations: APIKeyStore.migrations, logger: Self.logger).migrate()
        let configuration = AccessConfiguration(databaseURL: url, rateLimits: nil)
        let access = try await GatewayAccess.make(
            configuration: configuration, redis: nil, database: (url, shared), logger: Self.logger)
        #expect(access.keys != nil, "API keys are accepted")
        #expect(access.postgres == nil, "no second pool: the gateway's client is used")
        // The key store answers through the shared client: an unknown key is refused, not "unavailable".
        let key = try #require(APIKey("txad_live_" + String(repeating: "a", count: 43)))
        let outcome = await access.keys?.authenticate(key)
        guard case .refused = outcome else {
            Issue.record("expected a refusal from the database, got \(String(describing: outcome))")
            return
        }

        let other = url + (url.contains("?") ? "&" : "?") + "application_name=keys"
        let separate = try await GatewayAccess.make(
            configuration: AccessConfiguration(databaseURL: other, rateLimits: nil), redis: nil,
            database: (url, shared), logger: Self.logger)
        #expect(separate.postgres != nil, "a different URL gets its own pool")
        await separate.postgres?.shutdown()
        await shared.shutdown()
        try await admin.execute("DROP SCHEMA \(schema) CASCADE")
        await admin.shutdown()
    }
}
