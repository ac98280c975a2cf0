extension PostgresClient {
    /// Where and how to connect: a PostgreSQL URL plus the pool size and connect timeout.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The URL as given: `postgresql://user[:password]@host[:port]/database[?param=value…]`. Any libpq
        /// parameter may be added as a query parameter (`sslmode`, `application_name`, `options`, …).
        public let url: String
        /// Number of connections, and of threads running the blocking libpq calls (default 4).
        public var poolSize: Int
        /// How long dialling may take before a call fails with `.unavailable` (default 2 s, whole seconds,
        /// libpq's minimum is 2). A `connect_timeout` in the URL takes precedence.
        public var connectTimeout: Duration

        /// `host:port/database`, for messages.
        let endpoint: String
        private let maskedURL: String
        private let setsConnectTimeout: Bool

        /// Validates `url` with libpq's own parser.
        ///
        /// - Throws: `StoreError` `.invalidConfiguration` for another scheme, a malformed URL (libpq's reason),
        ///   a pool size below 1 or a connect timeout below 1 s.
        public init(url: String, poolSize: Int = 4, connectTimeout: Duration = .seconds(2)) throws {
            guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") else {
                throw StoreError(
                    .invalidConfiguration,
                    "PostgreSQL URL: must start with postgresql:// or postgres:// "
                        + "(postgresql://user[:password]@host[:port]/database)")
            }
            guard poolSize >= 1 else {
                throw StoreError(.invalidConfiguration, "PostgreSQL poolSize: \(poolSize) must be at least 1")
            }
            guard connectTimeout >= .seconds(1) else {
                throw StoreError(.invalidConfiguration, "PostgreSQL connectTimeout: must be at least 1 s")
            }
            let options = try PostgresConnection.parse(url)
            self.url = url
            self.poolSize = poolSize
            self.connectTimeout = connectTimeout
            let host = options["host"] ?? options["hostaddr"] ?? "localhost"
            let database = options["dbname"] ?? options["user"] ?? ""
            self.endpoint = "\(host):\(options["port"] ?? "5432")/\(database)"
            let user = options["user"].map { $0 + (options["password"] == nil ? "" : ":***") + "@" } ?? ""
            self.maskedURL = "postgresql://\(user)\(endpoint)"
            self.setsConnectTimeout = options["connect_timeout"] != nil
        }

        /// What `PQconnectdb` gets: the URL plus `connect_timeout` unless the URL sets one.
        var connectionString: String {
            guard !setsConnectTimeout else { return url }
            let seconds = max(2, connectTimeout.components.seconds)
            return url + (url.contains("?") ? "&" : "?") + "connect_timeout=\(seconds)"
        }

        /// The URL with the password masked and query parameters left out, for logs.
        public var description: String { "\(maskedURL) (pool \(poolSize))" }
    }
}
