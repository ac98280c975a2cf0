import Credentials
import Foundation
import Logging
import Stores

/// The admin API key `txad up` creates on the cluster's first start: stored in `<state>/admin-key` (mode 0600) so
/// later starts and scripts can use it, printed once when created.
enum AdminKey {
    /// The file holding the key.
    static func path(state: String) -> String { state + "/admin-key" }

    /// Creates the key unless the file exists; returns the new key text when it created one.
    static func ensure(state: String, databaseURL: String) async throws -> String? {
        let file = path(state: state)
        if FileManager.default.fileExists(atPath: file) { return nil }
        var logger = Logger(label: "txad-up")
        logger.logLevel = .error
        let client = try PostgresClient(url: databaseURL, logger: logger)
        let name = "txad-up-admin-\(Int(Date().timeIntervalSince1970))"
        let key: APIKey
        do {
            try await waitForKeyTable(client)
            (key, _) = try await APIKeyStore(client: client).create(
                name: name, role: "admin", createdBy: "txad up", expiresInSeconds: nil)
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
        guard FileManager.default.createFile(
            atPath: file, contents: Data((key.text + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw CLIError("could not write \(file); the key '\(name)' was created — revoke it with `txad keys revoke \(name)`")
        }
        return key.text
    }

    /// The alerts service applies the migrations; it may answer ready while they still run (it spools meanwhile).
    /// Waits up to 60 s for the API key table's migration.
    private static func waitForKeyTable(_ client: PostgresClient) async throws {
        let version = APIKeyStore.migrations.map(\.version).max() ?? 0
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let rows = try? await client.query(
                "SELECT count(*) AS n FROM schema_migrations WHERE version = $1", [PostgresValue(Int64(version))])
            if let n = try? rows?.first?.int64("n"), n == 1 { return }
            guard ContinuousClock.now < deadline else {
                throw CLIError("the database has no API key table (migration \(version)) after 60 s; see the alerts log")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
