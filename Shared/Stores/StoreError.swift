/// The one error type of `Stores`: Redis, PostgreSQL, migrations and the durable spool.
///
/// Callers branch on `code` (is it worth retrying? is it a unique violation?), log `message`, and for PostgreSQL
/// server errors look at `sqlState` (e.g. `23505` unique violation, `22P02` invalid text representation).
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; compare with the static members (`error.code == .unavailable`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidConfiguration, invalidArgument, unavailable, serverError, unexpectedReply
            case migrationFailed, schemaTooNew, spoolFailure, shutDown
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// A URL or option is invalid; the message names the field and the reason. Not retryable.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A call's argument is invalid (empty command, NUL byte in a text parameter, oversized record, …).
        public static let invalidArgument = Code(.invalidArgument)
        /// The server could not be reached, the connection broke, or a reply timed out. Retryable; the next call
        /// dials a fresh connection. For a write that failed this way the outcome is unknown.
        public static let unavailable = Code(.unavailable)
        /// The server rejected the command (Redis error reply, PostgreSQL error; see `sqlState`).
        public static let serverError = Code(.serverError)
        /// A reply did not have the shape the helper expected, or a column could not be decoded as asked.
        public static let unexpectedReply = Code(.unexpectedReply)
        /// A migration failed and was rolled back, or the migration list / applied history is inconsistent.
        public static let migrationFailed = Code(.migrationFailed)
        /// The database schema is newer than the newest migration this build knows: refuse to run against it.
        public static let schemaTooNew = Code(.schemaTooNew)
        /// The durable spool could not be read, written or synced, or is in use by another replay.
        public static let spoolFailure = Code(.spoolFailure)
        /// The client was shut down.
        public static let shutDown = Code(.shutDown)

        /// The code's name, e.g. `unavailable`.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, in words a person can act on. Never contains passwords or parameter values.
    public var message: String
    /// The PostgreSQL SQLSTATE for server errors (`23505`, `40001`, …), nil otherwise.
    public var sqlState: String?
    /// The lower-level error that caused this one, if any.
    public var underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, sqlState: String? = nil, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.underlying = underlying
    }

    /// Whether this is a PostgreSQL unique violation (SQLSTATE 23505), e.g. a duplicate key on insert.
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// Code, SQLSTATE, message and cause on one line.
    public var description: String {
        "StoreError(\(code)\(sqlState.map { ", SQLSTATE \($0)" } ?? "")): \(message)"
            + (underlying.map { " (caused by: \($0))" } ?? "")
    }
}
