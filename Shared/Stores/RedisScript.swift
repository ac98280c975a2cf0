/// A Lua script for `RedisClient.run(_:keys:arguments:)`: its source and the SHA-1 Redis knows it by.
///
/// Scripts run with `EVALSHA`, so only the 40-byte digest travels on each call. When the server does not know
/// the script (after a restart or `SCRIPT FLUSH`) the client loads it and retries once. Make scripts `static let`s:
/// the digest is computed once, at initialisation.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// Lower-case hex SHA-1 of `source`, as returned by `SCRIPT LOAD`.
    public let sha1: String

    /// Creates a script and computes its SHA-1.
    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(source.utf8)
    }
}
