import Auth
import Credentials
import Foundation
import Stores
import Testing

@Suite("API key store and authenticator (real PostgreSQL)")
struct APIKeyStoreTests {
    @Test("create stores only the digest; list, lookup and revoke work; duplicate active names are refused")
    func lifecycle() async throws {
        let url = try await AuthFixtures.freshDatabase()
        let client = try AuthFixtures.postgres(url)
        defer { Task { await client.shutdown() } }
        let store = APIKeyStore(client: client)
        let (key, record) = try await store.create(
            name: "ci-scorer", role: "scorer", createdBy: "alice", expiresInSeconds: 90 * 86_400)
        #expect(record.name == "ci-scorer" && record.role == "scorer" && record.createdBy == "alice")
        #expect(record.expiresAt.map { abs($0 - Date().timeIntervalSince1970 - 90 * 86_400) < 120 } == true)

        // Nothing in the table contains the key or its secret part.
        let dump = try await client.query("SELECT row_to_json(k)::text AS j FROM api_keys k")
        let text = dump.compactMap { $0["j"] }.joined()
        #expect(text.contains(key.digest))
        #expect(!text.contains(key.text))
        #expect(!text.contains(String(key.text.dropFirst(APIKey.prefix.count + 6))))

        await #expect(throws: CredentialsError.self) {
            _ = try await store.create(name: "ci-scorer", role: "admin", createdBy: "bob", expiresInSeconds: nil)
        }
        await #expect(throws: CredentialsError.self) {
            _ = try await store.create(name: "bad name!", role: "admin", createdBy: "bob", expiresInSeconds: nil)
        }
        #expect(try await store.lookup(digests: [key.digest, APIKey.generate().digest]).count == 1)
        #expect(try await store.list().map(\.name) == ["ci-scorer"])

        let revoked = try await store.revoke("ci-scorer", by: "carol")
        #expect(revoked?.revokedAt != nil)
        #expect(try await store.revoke("ci-scorer", by: "carol") == nil)
        // The name is free again once revoked.
        _ = try await store.create(name: "ci-scorer", role: "scorer", createdBy: "alice", expiresInSeconds: nil)
        try await store.markUsed(digests: [key.digest])
        #expect(try await store.lookup(digests: [key.digest])[key.digest]?.lastUsedAt != nil)
    }

    @Test("a cached key needs no database round trip; unknown and malformed keys are refused")
    func cached() async throws {
        let url = try await AuthFixtures.freshDatabase()
        let client = try AuthFixtures.postgres(url)
        let store = APIKeyStore(client: client)
        let (key, _) = try await store.create(name: "hot", role: "analyst", createdBy: "t", expiresInSeconds: nil)
        let authenticator = APIKeyAuthenticator(store: store, logger: AuthFixtures.logger)
        #expect(
            await authenticator.authenticate(key) == .valid(Principal(name: "hot", role: .analyst, method: .apiKey)))
        guard case .refused = await authenticator.authenticate(APIKey.generate()) else {
            Issue.record("unknown key accepted")
            return
        }
        // With the client shut down, any query would fail: the hot key is answered from the cache.
        await client.shutdown()
        for _ in 0..<100 {
            #expect(
                await authenticator.authenticate(key) == .valid(Principal(name: "hot", role: .analyst, method: .apiKey)))
        }
        // A key never seen cannot be checked while the database is unreachable: unavailable, not accepted.
        #expect(await authenticator.authenticate(APIKey.generate()) == .unavailable)
    }

    @Test("revocation reaches two gateways' caches within 5 s (refresher) and by age alone")
    func revocationAcrossReplicas() async throws {
        let url = try await AuthFixtures.freshDatabase()
        let (c1, c2, c3) = (try AuthFixtures.postgres(url), try AuthFixtures.postgres(url), try AuthFixtures.postgres(url))
        let admin = APIKeyStore(client: c3)
        let (key, _) = try await admin.create(name: "leaky", role: "scorer", createdBy: "t", expiresInSeconds: nil)
        let first = APIKeyAuthenticator(store: APIKeyStore(client: c1), logger: AuthFixtures.logger)
        // The second replica runs no refresher: only the 4 s maximum age protects it.
        let second = APIKeyAuthenticator(store: APIKeyStore(client: c2), logger: AuthFixtures.logger)
        let valid = APIKeyAuthenticator.Outcome.valid(Principal(name: "leaky", role: .scorer, method: .apiKey))
        #expect(await first.authenticate(key) == valid)
        #expect(await second.authenticate(key) == valid)

        _ = try await admin.revoke("leaky", by: "t")
        let revokedAt = ContinuousClock.now
        // Replica 1: what its refresher does every 2 s.
        try await first.refresh()
        #expect(await first.authenticate(key) == .refused("the API key 'leaky' was revoked"))
        // Replica 2: still cached until its entry is 4 s old, then re-read and refused.
        try await Task.sleep(until: revokedAt + .milliseconds(4100))
        #expect(await second.authenticate(key) == .refused("the API key 'leaky' was revoked"))
        for client in [c1, c2, c3] { await client.shutdown() }
    }

    @Test("an expired key is refused and usage is recorded by the refresh")
    func expiryAndUsage() async throws {
        let url = try await AuthFixtures.freshDatabase()
        let client = try AuthFixtures.postgres(url)
        let store = APIKeyStore(client: client)
        let (short, _) = try await store.create(name: "short", role: "scorer", createdBy: "t", expiresInSeconds: 1)
        let (used, _) = try await store.create(name: "used", role: "admin", createdBy: "t", expiresInSeconds: nil)
        try await Task.sleep(for: .milliseconds(1200))
        let authenticator = APIKeyAuthenticator(store: store, logger: AuthFixtures.logger)
        #expect(await authenticator.authenticate(short) == .refused("the API key 'short' expired"))
        _ = await authenticator.authenticate(used)
        #expect(try await store.lookup(digests: [used.digest])[used.digest]?.lastUsedAt == nil)
        try await authenticator.refresh()
        #expect(try await store.lookup(digests: [used.digest])[used.digest]?.lastUsedAt != nil)
        await client.shutdown()
    }
}
