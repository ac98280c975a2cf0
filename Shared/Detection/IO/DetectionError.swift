/// The one error type of the `Detection` module: a stable code, a message a person can act on, and the cause.
///
/// Codes are an extensible struct over a private enum (as in swift-service-lifecycle), so new codes can be added
/// without breaking callers that switch over the ones they know.
public struct DetectionError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare with the static members (`error.code == .invalidCSV`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case fileAccess = "file_access"
            case invalidCSV = "invalid_csv"
            case tooManyBadRows = "too_many_bad_rows"
            case corruptCompressedData = "corrupt_compressed_data"
            case corruptState = "corrupt_state"
            case unsupportedVersion = "unsupported_version"
            case invalidArgument = "invalid_argument"
            case schemaMismatch = "schema_mismatch"
            case corruptModel = "corrupt_model"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A file could not be opened, read or written.
        public static let fileAccess = Code(.fileAccess)
        /// A CSV file is malformed as a whole (no header, missing required columns, unterminated record).
        public static let invalidCSV = Code(.invalidCSV)
        /// More rows were invalid than the bad-row policy allows.
        public static let tooManyBadRows = Code(.tooManyBadRows)
        /// Gzip data could not be inflated or deflated.
        public static let corruptCompressedData = Code(.corruptCompressedData)
        /// Serialized user state is truncated or inconsistent.
        public static let corruptState = Code(.corruptState)
        /// Serialized data has a format version this build does not read.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// A parameter is out of its valid range.
        public static let invalidArgument = Code(.invalidArgument)
        /// Feature values do not match the expected feature schema (count or version).
        public static let schemaMismatch = Code(.schemaMismatch)
        /// A stored model, scaler or bundle file is damaged or inconsistent.
        public static let corruptModel = Code(.corruptModel)

        /// The stable snake_case name of the code, e.g. `invalid_csv`.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong and, where possible, what to do about it.
    public var message: String
    /// The underlying error, when one caused this.
    public var underlying: (any Error & Sendable)?

    /// Creates an error with a code, an actionable message and an optional cause.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// The message, the code and the cause, for logs and terminals.
    public var description: String {
        if let underlying { return "\(message) (\(code); caused by: \(underlying))" }
        return "\(message) (\(code))"
    }
}
