import Credentials
import EmbeddedStores
import Foundation
import Stores
import TestSupport
import Testing

/// `txad keys create|list|revoke` as a user runs it: the real `txad` executable against a real PostgreSQL database
/// holding the API key table (migration 40).
@Suite("txad keys CLI")
struct KeysCommandTests {

    struct Run {
        var status: Int32
        var out: String
        var err: String
    }

    /// Runs `txad keys ARGUMENTS` with `DATABASE_URL` removed from the environment.
    static func keys(_ arguments: [String], database: String?) async throws -> Run {
        let result = try await Command.run(
            Command.binDirectory + "/txad", ["keys"] + arguments + (database.map { ["--database-url", $0] } ?? []),
            environment: ["DATABASE_URL": nil, "USER": "cli-user"])
        return Run(status: result.status, out: result.output, err: result.errors)
    }

    @Test("create prints the key once, list masks it, revoke refuses it afterwards")
    func lifecycle() async throws {
        let url = try await AuthFixtures.freshDatabase()
        let created = try await Self.keys(
            ["create", "--name", "ci-cli", "--role", "analyst", "--expires", "90d", "--by", "tester"], database: url)
        #expect(created.status == 0, "\(created.err)")
        let lines = created.out.split(separator: "\n")
        #expect(lines.count == 1, "stdout is the key alone: \(created.out)")
        let key = String(lines.first ?? "")
        #expect(key.hasPrefix(APIKey.prefix) && key.count == APIKey.prefix.count + APIKey.secretLength)
        #expect(created.err.contains("key 'ci-cli'") && created.err.contains("role analyst"))
        #expect(created.err.contains("only time the key is shown"))
        #expect(!created.err.contains(key))
        // The expiry printed is 90 days from now (date part; a run across midnight may see the next day).
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let in90Days = [0.0, 60].map { formatter.string(from: Date().addingTimeInterval(90 * 86_400 + $0)) }
        #expect(in90Days.contains { created.err.contains("expires \($0)") }, "\(created.err)")

        // Stored: the digest, with the name, role, creator and expiry; never the key.
        let client = try AuthFixtures.postgres(url, poolSize: 1)
        let store = APIKeyStore(client: client)
        let record = try #require(try await store.lookup(digests: [APIKey.digest(of: key)]).values.first)
        #expect(record.name == "ci-cli" && record.role == "analyst" && record.createdBy == "tester")
        let expiry = try #require(record.expiresAt)
        #expect(abs(expiry - Date().timeIntervalSince1970 - 90 * 86_400) < 120)
        let dump = try await client.query("SELECT row_to_json(k)::text AS j FROM api_keys k").compactMap { $0["j"] }
            .joined()
        #expect(dump.contains(APIKey.digest(of: key)))
        #expect(!dump.contains(String(key.dropFirst(APIKey.prefix.count))))

        // A second key without expiry, creator from $USER.
        let scorer = try await Self.keys(["create", "--name", "ci-scorer", "--role", "scorer"], database: url)
        #expect(scorer.status == 0, "\(scorer.err)")
        let scorerKey = scorer.out.trimmingCharacters(in: .whitespacesAndNewlines)

        let listed = try await Self.keys(["list"], database: url)
        #expect(listed.status == 0, "\(listed.err)")
        let table = listed.out.split(separator: "\n").map(String.init)
        #expect(table.count == 3, "\(listed.out)")
        #expect(table.first?.hasPrefix("id") == true && table.first?.contains("expires") == true)
        #expect(!listed.out.contains(key) && !listed.out.contains(scorerKey), "list never shows a secret")
        let analystRow = try #require(table.first { $0.contains("ci-cli") })
        for expected in ["analyst", "tester", String(key.prefix(APIKey.prefix.count + 6)) + "…", "never", "active"] {
            #expect(analystRow.contains(expected), "\(expected) in \(analystRow)")
        }
        #expect(in90Days.contains { analystRow.contains($0) }, "expiry in \(analystRow)")
        #expect(!analystRow.contains(String(key.prefix(APIKey.prefix.count + 7))), "only 6 characters shown")
        let scorerRow = try #require(table.first { $0.contains("ci-scorer") })
        #expect(scorerRow.contains("scorer") && scorerRow.contains("cli-user") && scorerRow.contains("active"))

        let revoked = try await Self.keys(["revoke", "ci-cli", "--by", "tester"], database: url)
        #expect(revoked.status == 0, "\(revoked.err)")
        #expect(revoked.out.contains("revoked key 'ci-cli'"))
        let after = try await Self.keys(["list"], database: url)
        #expect(after.out.split(separator: "\n").first { $0.contains("ci-cli") }?.contains("revoked") == true)
        let lookedUp = try await store.lookup(digests: [APIKey.digest(of: key)]).values.first
        #expect(lookedUp?.revokedAt != nil)
        // Revoking twice, or a key that does not exist, is an error naming the key.
        for missing in ["ci-cli", "nobody", "999999"] {
            let again = try await Self.keys(["revoke", missing], database: url)
            #expect(again.status != 0)
            #expect(again.err.contains("no active key named or numbered '\(missing)'"), "\(again.err)")
        }
        // By id.
        let scorerID = try #require(try await store.list().first { $0.name == "ci-scorer" }?.id)
        #expect(try await Self.keys(["revoke", String(scorerID)], database: url).status == 0)
        await client.shutdown()
    }

    @Test("bad arguments are refused with an error naming the option, before touching the database")
    func badArguments() async throws {
        let url = try await AuthFixtures.freshDatabase()
        let cases: [([String], String)] = [
            (["--name", "x", "--role", "root"], "--role must be scorer, analyst or admin"),
            (["--name", "x", "--role", "Admin"], "--role"),
            (["--name", "has space", "--role", "scorer"], "--name must be"),
            (["--name", String(repeating: "n", count: 65), "--role", "scorer"], "--name must be"),
            (["--name", "x", "--role", "scorer", "--expires", "0"], "--expires must be"),
            (["--name", "x", "--role", "scorer", "--expires", "10x"], "--expires must be"),
            (["--name", "x", "--role", "scorer", "--expires=-5d"], "--expires must be"),
            (["--name", "x", "--role", "scorer", "--expires", "-5d"], "--expires"),
            (["--name", "x", "--role", "scorer", "--expires", "d"], "--expires must be"),
            (["--name", "x", "--role", "scorer", "--expires", "3661d"], "--expires must be"),
            (["--name", "x", "--role", "scorer", "--expires", "١٢d"], "--expires must be"),
            (["--role", "scorer"], "--name"),
        ]
        for (arguments, message) in cases {
            let run = try await Self.keys(["create"] + arguments, database: url)
            #expect(run.status != 0, "\(arguments)")
            #expect(run.err.contains(message), "\(arguments): \(run.err)")
            #expect(run.out.isEmpty, "no key printed for \(arguments)")
        }
        // Valid spellings of --expires.
        for (index, expires) in ["12h", "30m", "45s", "3600", "3660d"].enumerated() {
            let run = try await Self.keys(
                ["create", "--name", "ok-\(index)", "--role", "scorer", "--expires", expires], database: url)
            #expect(run.status == 0, "\(expires): \(run.err)")
        }
        // Nothing was stored for the refused ones.
        let client = try AuthFixtures.postgres(url, poolSize: 1)
        #expect(try await APIKeyStore(client: client).list().count == 5)
        await client.shutdown()
        // No database given.
        let noDatabase = try await Self.keys(["list"], database: nil)
        #expect(noDatabase.status != 0)
        #expect(noDatabase.err.contains("give --database-url or set DATABASE_URL"), "\(noDatabase.err)")
        // A database without the table.
        let base = try await TestStores.postgresURL()
        let empty = try await Self.keys(["list"], database: base)
        #expect(empty.status != 0)
        #expect(empty.err.contains("the api_keys table does not exist yet"), "\(empty.err)")
    }
}
