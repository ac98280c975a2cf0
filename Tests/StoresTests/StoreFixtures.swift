import EmbeddedStores
import Foundation
import Logging
import Stores

/// Shared helpers: clients on the test stores (shut down after each use), isolated PostgreSQL schemas, temp dirs.
enum StoreFixtures {
    static let logger: Logger = {
        var logger = Logger(label: "txad.stores-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A name no other test uses (letters, digits, `_`).
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
    }

    /// Runs `body` with a client on `url` (default: the shared test Redis) and shuts it down afterwards.
    @discardableResult
    static func withRedis<T>(
        url: String? = nil, poolSize: Int = 4, commandTimeout: Duration = .seconds(5),
        _ body: (RedisClient) async throws -> T
    ) async throws -> T {
        let resolved: String
        if let url { resolved = url } else { resolved = try await TestStores.redisURL() }
        let configuration = try RedisClient.Configuration(
            url: resolved, poolSize: poolSize, commandTimeout: commandTimeout)
        let client = RedisClient(configuration: configuration, logger: logger)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Runs `body` with a client on `url` (default: the shared test PostgreSQL) and shuts it down afterwards.
    @discardableResult
    static func withPostgres<T>(
        url: String? = nil, poolSize: Int = 4, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        let resolved: String
        if let url { resolved = url } else { resolved = try await TestStores.postgresURL() }
        let configuration = try PostgresClient.Configuration(url: resolved, poolSize: poolSize)
        let client = PostgresClient(configuration: configuration, logger: logger)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Runs `body` with the URL of a fresh schema (first on `search_path`) in the test database, dropped
    /// afterwards, so tests can create tables (and `schema_migrations`) without seeing each other's.
    static func withIsolatedSchema<T>(_ body: (String) async throws -> T) async throws -> T {
        let url = try await TestStores.postgresURL()
        let schema = uniqueName("t")
        try await withPostgres(url: url, poolSize: 1) { try await $0.execute("CREATE SCHEMA \(schema)") }
        let isolated = url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        do {
            let result = try await body(isolated)
            try await withPostgres(url: url, poolSize: 1) { try await $0.execute("DROP SCHEMA \(schema) CASCADE") }
            return result
        } catch {
            _ = try? await withPostgres(url: url, poolSize: 1) { try await $0.execute("DROP SCHEMA \(schema) CASCADE") }
            throw error
        }
    }

    /// Runs `body` with a client on a fresh isolated schema.
    static func withIsolatedPostgres<T>(poolSize: Int = 4, _ body: (PostgresClient) async throws -> T) async throws -> T
    {
        try await withIsolatedSchema { url in try await withPostgres(url: url, poolSize: poolSize, body) }
    }

    /// Runs `body` with a fresh temporary directory, removed afterwards.
    static func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("txad-stores-test")).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }
}
