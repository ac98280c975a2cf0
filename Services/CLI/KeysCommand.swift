import ArgumentParser
import Credentials
import Foundation
import Logging
import Stores

/// `txad keys create|list|revoke`: API keys in PostgreSQL (only their SHA-256 digests are stored).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke the gateway's API keys.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Database: ParsableArguments {
        @Option(help: "PostgreSQL with the txad schema (env DATABASE_URL; `txad up` prints it).")
        var databaseURL: String?

        func withStore<T>(_ body: (APIKeyStore) async throws -> T) async throws -> T {
            guard let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
                throw ValidationError("give --database-url or set DATABASE_URL")
            }
            var logger = Logger(label: "txad-keys")
            logger.logLevel = .error
            let client = try PostgresClient(url: url, logger: logger)
            do {
                let result = try await body(APIKeyStore(client: client))
                await client.shutdown()
                return result
            } catch let error as StoreError where error.sqlState == "42P01" {
                await client.shutdown()
                throw CLIError("the api_keys table does not exist yet: start the alerts service (or `txad up`) once")
            } catch {
                await client.shutdown()
                throw error
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print it once (only its digest is stored).")
        @Option(help: "The key's name (\(APIKeyStore.nameRule)); what audit rows record.") var name: String
        @Option(help: "scorer, analyst or admin.") var role: String
        @Option(help: "Lifetime: 90d, 12h, 30m or seconds (default: no expiry).") var expires: String?
        @Option(help: "Who creates it (default: $USER).") var by: String?
        @OptionGroup var database: Database

        func validate() throws {
            guard ["scorer", "analyst", "admin"].contains(role) else {
                throw ValidationError("--role must be scorer, analyst or admin")
            }
            guard APIKeyStore.isValidName(name) else { throw ValidationError("--name must be \(APIKeyStore.nameRule)") }
            if let expires, KeysCommand.seconds(expires) == nil {
                throw ValidationError("--expires must be like 90d, 12h, 30m or a number of seconds (1 s … 10 years)")
            }
        }

        func run() async throws {
            let creator = by ?? ProcessInfo.processInfo.environment["USER"] ?? "cli"
            let lifetime = expires.flatMap(KeysCommand.seconds)
            let (key, record) = try await database.withStore {
                try await $0.create(name: name, role: role, createdBy: creator, expiresInSeconds: lifetime)
            }
            print(key.text)
            var note = "key '\(record.name)' (id \(record.id), role \(record.role)) created"
            if let expiry = record.expiresAt { note += ", expires \(KeysCommand.date(expiry))" }
            FileHandle.standardError.write(
                Data("\(note). This is the only time the key is shown; store it now.\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every key (never the secrets), newest first.")
        @OptionGroup var database: Database

        func run() async throws {
            let records = try await database.withStore { try await $0.list() }
            guard !records.isEmpty else {
                print("no keys; create one with `txad keys create --name NAME --role scorer`")
                return
            }
            let now = Date().timeIntervalSince1970
            let header = ["id", "name", "role", "key", "created by", "created", "last used", "expires", "status"]
            let rows = records.map { r in
                [
                    String(r.id), r.name, r.role, APIKey.prefix + r.hint + "…", r.createdBy, KeysCommand.date(r.createdAt),
                    r.lastUsedAt.map(KeysCommand.date) ?? "never", r.expiresAt.map(KeysCommand.date) ?? "never",
                    r.revokedAt != nil ? "revoked" : (r.isUsable(at: now) ? "active" : "expired"),
                ]
            }
            let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
            for row in [header] + rows {
                print(row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                    .joined(separator: "  "))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key by name or id; every gateway refuses it within 5 seconds.")
        @Argument(help: "The key's name or id.") var key: String
        @Option(help: "Who revokes it (default: $USER).") var by: String?
        @OptionGroup var database: Database

        func run() async throws {
            let revoker = by ?? ProcessInfo.processInfo.environment["USER"] ?? "cli"
            guard let record = try await database.withStore({ try await $0.revoke(key, by: revoker) }) else {
                throw CLIError("no active key named or numbered '\(key)'")
            }
            print("revoked key '\(record.name)' (id \(record.id)); gateways refuse it within 5 seconds")
        }
    }

    /// Seconds in `90d`, `12h`, `30m`, `45s` or a bare number; nil when malformed or outside 1 s … 10 years.
    static func seconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["d": 86_400, "h": 3600, "m": 60, "s": 1]
        var digits = Substring(text)
        var unit = 1
        if let last = text.last, let factor = units[last] {
            digits = text.dropLast()
            unit = factor
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int(digits) else { return nil }
        let (total, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow, (1...(10 * 366 * 86_400)).contains(total) else { return nil }
        return total
    }

    static func date(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
