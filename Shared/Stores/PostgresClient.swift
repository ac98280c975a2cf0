import Logging

/// A PostgreSQL client with a small connection pool: parameterized queries, transactions, pipelined batches.
///
/// ```swift
/// let db = try PostgresClient(url: "postgresql://postgres@127.0.0.1:5432/txad")
/// let rows = try await db.query("SELECT id, risk FROM alerts WHERE risk = $1", ["high"])
/// for row in rows { let id = try row.int64("id") }
/// try await db.withTransaction { tx in
///     try await tx.execute("UPDATE alerts SET state = $1 WHERE id = $2", ["decided", PostgresValue(id)])
///     try await tx.execute("INSERT INTO outbox (alert_id) VALUES ($1)", [PostgresValue(id)])
/// }
/// try await db.executeBatch("INSERT INTO scored (tx_id, score) VALUES ($1, $2) ON CONFLICT DO NOTHING", sets)
/// await db.shutdown()                                            // required before the client is released
/// ```
///
/// - Only parameterized statements (`$1`, `$2`, … with `[PostgresValue?]`): values never become SQL. One
///   statement per call.
/// - Results are text values (`PostgresRow` has typed accessors); errors are `StoreError` `.serverError` with
///   the SQLSTATE in `sqlState` (`isUniqueViolation` for 23505).
/// - Concurrency: `Sendable`; share one client per process. Each call borrows one pooled connection; the blocking
///   libpq calls run on the client's own thread pool (one thread per connection), never on the Swift
///   concurrency pool or an event loop.
/// - Failures: when the server cannot be reached, or a connection broke (restart, fast shutdown), the call throws
///   `.unavailable` at once and the connection is replaced on the next call. Idle connections are checked before
///   use, so after a restart the next call normally succeeds without an error.
/// - Call `shutdown()` when done: it closes the connections and stops the threads.
public final class PostgresClient: Sendable {
    /// The configuration the client was created with.
    public let configuration: Configuration
    private let pool: ConnectionPool<PostgresConnection>
    private let logger: Logger

    /// Creates a client; connections are dialled on first use, so this never fails or blocks.
    public init(configuration: Configuration, logger: Logger = Logger(label: "txad.postgres")) {
        self.configuration = configuration
        self.logger = logger
        self.pool = ConnectionPool(size: configuration.poolSize, configuration: configuration, logger: logger)
    }

    /// Creates a client from a `postgresql://` URL with the default pool size and connect timeout.
    ///
    /// - Throws: `StoreError` `.invalidConfiguration` for a malformed URL.
    public convenience init(url: String, logger: Logger = Logger(label: "txad.postgres")) throws {
        self.init(configuration: try Configuration(url: url), logger: logger)
    }

    /// Runs one parameterized statement and returns its rows (and affected-row count).
    ///
    /// - Throws: `StoreError` `.serverError` (with `sqlState`), `.unavailable`, or `.invalidArgument` for a NUL
    ///   byte in a parameter or more than 65535 parameters.
    public func query(_ sql: String, _ parameters: [PostgresValue?] = []) async throws -> PostgresRows {
        try await pool.withConnection { try $0.query(sql, parameters) }
    }

    /// Runs one parameterized statement and returns the number of affected rows.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresValue?] = []) async throws -> Int {
        try await query(sql, parameters).affectedRows
    }

    /// Runs `sql` once per parameter set in one pipeline (one parse, one round trip) as one all-or-nothing
    /// unit: if any statement fails, none of them takes effect.
    ///
    /// The fast way to write many rows (10,000 inserts in about a tenth of a second); use `ON CONFLICT` for
    /// idempotency. Works for any statement (INSERT, UPDATE, upserts); rows a statement returns are discarded.
    /// Every set must have the same number of values.
    ///
    /// - Returns: the sum of affected rows.
    /// - Throws: the first failing statement's error, its message prefixed with `parameter set N:`.
    @discardableResult
    public func executeBatch(_ sql: String, _ parameterSets: [[PostgresValue?]]) async throws -> Int {
        guard !parameterSets.isEmpty else { return 0 }
        return try await pool.withConnection { try $0.executeBatch(sql, parameterSets) }
    }

    /// Runs `body` in a transaction on one connection: `BEGIN`, then `COMMIT` when `body` returns, or `ROLLBACK`
    /// when it throws (the error is rethrown).
    ///
    /// Use only the given `PostgresTransaction` inside `body`; calls on the client itself would take other
    /// connections. The transaction handle stops working once `body` returns. Errors: as `query`; a failed
    /// `COMMIT` (e.g. serialization failure 40001) is thrown and nothing was committed.
    public func withTransaction<T>(_ body: (PostgresTransaction) async throws -> T) async throws -> T {
        let lease = try await pool.lease()
        defer { pool.release(lease) }
        try await pool.run(on: lease) { try $0.executeScript("BEGIN") }
        let transaction = PostgresTransaction(pool: pool, lease: lease)
        let result: T
        do {
            result = try await body(transaction)
        } catch {
            transaction.end()
            do {
                try await pool.run(on: lease) { try $0.executeScript("ROLLBACK") }
            } catch let rollbackError {
                // The pool rolls back (or drops) the connection before its next use.
                logger.warning("ROLLBACK failed", metadata: ["error": "\(rollbackError)"])
            }
            throw error
        }
        transaction.end()
        try await pool.run(on: lease) { try $0.executeScript("COMMIT") }
        return result
    }

    /// `SELECT 1`, for readiness checks: throws `.unavailable` when PostgreSQL cannot be reached.
    public func ping() async throws {
        _ = try await query("SELECT 1")
    }

    /// Closes every connection and stops the client's threads; later calls throw `.shutDown`.
    ///
    /// Must be called before the last reference goes away (SwiftNIO asserts that its thread pool was shut down).
    public func shutdown() async {
        await pool.shutdown()
    }
}
