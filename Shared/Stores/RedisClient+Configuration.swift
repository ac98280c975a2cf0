#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension RedisClient {
    /// Where and how to connect. Build it from a URL, then adjust the pool and timeouts if needed.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// Host name or IP address (IPv6 without brackets).
        public var host: String
        /// TCP port (default 6379).
        public var port: Int
        /// ACL user name for `AUTH user password`; nil sends `AUTH password` (the `default` user).
        public var username: String?
        /// Password; nil sends no `AUTH`.
        public var password: String?
        /// Logical database selected on every connection (`SELECT n`), default 0.
        public var database: Int
        /// Number of connections, and of threads running the blocking hiredis calls (default 4).
        public var poolSize: Int
        /// How long dialling may take before a call fails with `.unavailable` (default 1 s).
        public var connectTimeout: Duration
        /// How long a reply may take before the call fails with `.unavailable` and the connection is
        /// dropped (default 5 s). Blocking commands (`BLPOP`) need a timeout below this.
        public var commandTimeout: Duration

        /// Parses `redis://[[user]:password@]host[:port][/database]`; user and password may be percent-encoded.
        ///
        /// - Throws: `StoreError` `.invalidConfiguration` naming the part of the URL that is wrong.
        public init(
            url: String, poolSize: Int = 4, connectTimeout: Duration = .seconds(1),
            commandTimeout: Duration = .seconds(5)
        ) throws {
            guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
                throw StoreError(.invalidConfiguration, "Redis URL: not a URL (expected redis://host:port/db)")
            }
            guard scheme == "redis" else {
                throw StoreError(
                    .invalidConfiguration,
                    "Redis URL: scheme '\(scheme)' is not supported (only redis://; hiredis 0.14 has no TLS)")
            }
            guard let host = components.host, !host.isEmpty else {
                throw StoreError(.invalidConfiguration, "Redis URL: the host is missing")
            }
            var database = 0
            let path = components.path.drop { $0 == "/" }
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else {
                    throw StoreError(
                        .invalidConfiguration, "Redis URL: the path must be a database number, got '/\(path)'")
                }
                database = number
            }
            // URLComponents decodes percent-escapes in `user` and `password`.
            let user = components.user.flatMap { $0.isEmpty ? nil : $0 }
            try self.init(
                host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host,
                port: components.port ?? 6379,
                username: user,
                password: components.password,
                database: database, poolSize: poolSize, connectTimeout: connectTimeout,
                commandTimeout: commandTimeout)
            if self.username != nil && self.password == nil {
                throw StoreError(.invalidConfiguration, "Redis URL: a user name needs a password (user:password@)")
            }
        }

        /// Creates a configuration from its parts.
        ///
        /// - Throws: `StoreError` `.invalidConfiguration` for a port outside 1...65535, a negative database, a pool
        ///   size below 1 or a non-positive timeout.
        public init(
            host: String, port: Int = 6379, username: String? = nil, password: String? = nil, database: Int = 0,
            poolSize: Int = 4, connectTimeout: Duration = .seconds(1), commandTimeout: Duration = .seconds(5)
        ) throws {
            guard (1...65535).contains(port) else {
                throw StoreError(.invalidConfiguration, "Redis port: \(port) is not in 1...65535")
            }
            guard database >= 0 else {
                throw StoreError(.invalidConfiguration, "Redis database: \(database) must not be negative")
            }
            guard poolSize >= 1 else {
                throw StoreError(.invalidConfiguration, "Redis poolSize: \(poolSize) must be at least 1")
            }
            guard connectTimeout > .zero, commandTimeout > .zero else {
                throw StoreError(.invalidConfiguration, "Redis timeouts must be positive")
            }
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.poolSize = poolSize
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
        }

        /// The URL with the password masked, for logs and printed configuration.
        public var description: String {
            let credentials =
                password == nil ? "" : "\(username ?? ""):***@"
            let address = host.contains(":") ? "[\(host)]" : host
            return "redis://\(credentials)\(address):\(port)/\(database) (pool \(poolSize))"
        }
    }
}
