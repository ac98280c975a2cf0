/// The one error type of the model, bundle and pipeline layers of `Detection`.
///
/// Every error has a stable ``code`` for programs and a ``message`` that names the file, field or parameter at fault
/// and says what to do about it.
public struct ModelError: Error, Sendable, CustomStringConvertible {
    /// A stable error category; an extensible struct so new codes do not break callers' exhaustive switches.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidParameter = "invalid_parameter"
            case invalidData = "invalid_data"
            case bundleTruncated = "bundle_truncated"
            case bundleCorrupt = "bundle_corrupt"
            case schemaMismatch = "schema_mismatch"
            case unsupportedFormat = "unsupported_format"
            case notFound = "not_found"
            case io = "io"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A training or scoring option is out of range (e.g. zero trees, negative contamination).
        public static let invalidParameter = Code(.invalidParameter)
        /// Input data cannot be used (empty, wrong width, non-finite values).
        public static let invalidData = Code(.invalidData)
        /// A bundle file ends before its declared length.
        public static let bundleTruncated = Code(.bundleTruncated)
        /// A bundle file's checksum, magic number or internal structure is wrong.
        public static let bundleCorrupt = Code(.bundleCorrupt)
        /// A bundle does not match the feature schema (version, names or width) it is used with.
        public static let schemaMismatch = Code(.schemaMismatch)
        /// A bundle file has a format version this build cannot read.
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// A bundle, version or file does not exist.
        public static let notFound = Code(.notFound)
        /// Reading or writing a file failed.
        public static let io = Code(.io)

        /// The snake_case name of the code, e.g. `bundle_corrupt`.
        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// A sentence a person can act on, naming the file/field and the problem.
    public let message: String
    /// The lower-level error that caused this one, if any.
    public let underlying: (any Error & Sendable)?

    /// Creates an error with a code, an actionable message and an optional cause.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// `code: message (cause)`.
    public var description: String {
        if let underlying { return "\(code): \(message) (\(underlying))" }
        return "\(code): \(message)"
    }
}
