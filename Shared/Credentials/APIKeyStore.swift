import Stores

/// API keys in PostgreSQL (table `api_keys`, created by ``APIKeyStore/migrations``): create, list, revoke, and the
/// gateway's lookups by digest. Only SHA-256 digests are stored; the key is returned once, by ``create``.
public struct APIKeyStore: Sendable {
    /// Migration 40 (the authentication range is 40–49); the alerts service applies it with the rest of the schema.
    public static let migrations: [Migration] = [
        Migration(
            version: 40, name: "create_api_keys",
            sql: """
                CREATE TABLE api_keys (
                    key_id       bigserial PRIMARY KEY,
                    name         text NOT NULL,
                    role         text NOT NULL CHECK (role IN ('scorer', 'analyst', 'admin')),
                    key_sha256   text NOT NULL UNIQUE CHECK (key_sha256 ~ '^[0-9a-f]{64}$'),
                    hint         text NOT NULL,
                    created_by   text NOT NULL,
                    created_at   timestamptz NOT NULL DEFAULT now(),
                    last_used_at timestamptz,
                    expires_at   timestamptz,
                    revoked_at   timestamptz,
                    revoked_by   text
                );
                CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
                """)
    ]

    /// Rules for key names: what people type and what audit rows record.
    public static let nameRule = "1–64 characters of [A-Za-z0-9_.:@-]"

    private let client: PostgresClient

    /// A store over `client`.
    public init(client: PostgresClient) {
        self.client = client
    }

    /// Whether `name` is a valid key name (``nameRule``).
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                    || c == 0x5F || c == 0x2E || c == 0x3A || c == 0x40 || c == 0x2D
            }
    }

    /// Creates a key and stores its digest. The returned key is the only copy.
    ///
    /// - Throws: ``CredentialsError`` `.invalidName`, `.duplicateName` (an active key already has the name), or
    ///   the store's error.
    public func create(name: String, role: String, createdBy: String, expiresInSeconds: Int?) async throws -> (
        APIKey, APIKeyRecord
    ) {
        guard Self.isValidName(name) else {
            throw CredentialsError(.invalidName, "name: must be \(Self.nameRule)")
        }
        let key = APIKey.generate()
        do {
            let rows = try await client.query(
                """
                INSERT INTO api_keys (name, role, key_sha256, hint, created_by, expires_at)
                VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::bigint IS NULL THEN NULL
                                                 ELSE now() + make_interval(secs => $6::bigint) END)
                RETURNING \(Self.columns)
                """,
                [
                    PostgresValue(name), PostgresValue(role), PostgresValue(key.digest), PostgresValue(key.hint),
                    PostgresValue(createdBy), expiresInSeconds.map { PostgresValue($0) },
                ])
            guard let row = rows.first else { throw CredentialsError(.unexpected, "INSERT returned no row") }
            return (key, try Self.record(row))
        } catch let error as StoreError where error.isUniqueViolation {
            throw CredentialsError(.duplicateName, "name: an active key named '\(name)' exists; revoke it first")
        }
    }

    /// Every key, newest first (revoked ones included, marked).
    public func list() async throws -> [APIKeyRecord] {
        try await client.query("SELECT \(Self.columns) FROM api_keys ORDER BY key_id DESC").map(Self.record)
    }

    /// Revokes the active key named `name`, or the key with id `name` when it is a number.
    ///
    /// - Returns: the revoked record, or nil when no active key matched.
    public func revoke(_ nameOrID: String, by revoker: String) async throws -> APIKeyRecord? {
        let rows = try await client.query(
            """
            UPDATE api_keys SET revoked_at = now(), revoked_by = $2
            WHERE revoked_at IS NULL AND (name = $1 OR key_id::text = $1)
            RETURNING \(Self.columns)
            """, [PostgresValue(nameOrID), PostgresValue(revoker)])
        return try rows.first.map(Self.record)
    }

    /// The records whose digests are in `digests` (unknown digests are simply absent), keyed by digest.
    public func lookup(digests: [String]) async throws -> [String: APIKeyRecord] {
        guard !digests.isEmpty else { return [:] }
        let rows = try await client.query(
            "SELECT key_sha256, \(Self.columns) FROM api_keys WHERE key_sha256 = ANY($1::text[])",
            [PostgresValue(array: digests.map { PostgresValue($0) })])
        var found: [String: APIKeyRecord] = [:]
        for row in rows {
            if let digest = try row.string("key_sha256") { found[digest] = try Self.record(row) }
        }
        return found
    }

    /// Records that the keys with these digests were used now.
    public func markUsed(digests: [String]) async throws {
        guard !digests.isEmpty else { return }
        try await client.execute(
            "UPDATE api_keys SET last_used_at = now() WHERE key_sha256 = ANY($1::text[])",
            [PostgresValue(array: digests.map { PostgresValue($0) })])
    }

    private static let columns = """
        key_id, name, role, hint, created_by, extract(epoch FROM created_at)::float8 AS created, \
        extract(epoch FROM last_used_at)::float8 AS last_used, extract(epoch FROM expires_at)::float8 AS expires, \
        extract(epoch FROM revoked_at)::float8 AS revoked
        """

    private static func record(_ row: PostgresRow) throws -> APIKeyRecord {
        guard let id = try row.int64("key_id"), let name = try row.string("name"), let role = try row.string("role"),
            let hint = try row.string("hint"), let createdBy = try row.string("created_by"),
            let created = try row.double("created")
        else { throw CredentialsError(.unexpected, "api_keys row with a NULL in a NOT NULL column") }
        return APIKeyRecord(
            id: id, name: name, role: role, hint: hint, createdBy: createdBy, createdAt: created,
            lastUsedAt: try row.double("last_used"), expiresAt: try row.double("expires"),
            revokedAt: try row.double("revoked"))
    }
}
