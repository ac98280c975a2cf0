/// What the database knows about one API key (never the key itself).
public struct APIKeyRecord: Sendable, Hashable {
    /// The row id.
    public var id: Int64
    /// The key's name: what decisions and audit rows record as the caller.
    public var name: String
    /// The role name as stored (`scorer`, `analyst`, `admin`).
    public var role: String
    /// The first characters of the secret, to tell keys apart in listings.
    public var hint: String
    /// Who created it (the operator's name given to `txad keys create`, or `txad up`).
    public var createdBy: String
    /// Seconds since 1970 when it was created.
    public var createdAt: Double
    /// Seconds since 1970 when it was last used (recorded by the gateway at most every few seconds), nil if never.
    public var lastUsedAt: Double?
    /// Seconds since 1970 after which it is refused, nil for no expiry.
    public var expiresAt: Double?
    /// Seconds since 1970 when it was revoked, nil while active.
    public var revokedAt: Double?

    /// Creates a record.
    public init(
        id: Int64, name: String, role: String, hint: String, createdBy: String, createdAt: Double,
        lastUsedAt: Double?, expiresAt: Double?, revokedAt: Double?
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.hint = hint
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Whether the key is accepted at `now` (seconds since 1970): not revoked and not expired.
    public func isUsable(at now: Double) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }
}
