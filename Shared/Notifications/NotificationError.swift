/// The one error type of `Notifications`: an invalid routing file, or a notification that cannot be rendered.
///
/// Routing-file errors carry the line (and column) of the offending YAML node, so a person can fix the file
/// without guessing: `routing.yaml:12:5: channel 'pager': unknown type 'pagerdutty' (expected one of …)`.
public struct NotificationError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidRoutingFile, unknownChannel, renderingFailed
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// The routing file is not valid YAML or breaks a rule (unknown type, undefined channel, missing secret
        /// variable, bad URL, unknown key, out-of-range value).
        public static let invalidRoutingFile = Code(.invalidRoutingFile)
        /// A delivery names a channel the current routing file does not define.
        public static let unknownChannel = Code(.unknownChannel)
        /// A payload could not be built (e.g. no alert to describe).
        public static let renderingFailed = Code(.renderingFailed)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What is wrong and what is accepted.
    public var message: String
    /// The 1-based line of the offending node in the routing file, when known.
    public var line: Int?
    /// The 1-based column of the offending node, when known.
    public var column: Int?
    /// The routing file's path, when the error is about one.
    public var file: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, line: Int? = nil, column: Int? = nil, file: String? = nil) {
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.file = file
    }

    /// `file:line:column: message`, with whatever parts are known.
    public var description: String {
        var location = file ?? ""
        if let line {
            location += location.isEmpty ? "line \(line)" : ":\(line)"
            if let column { location += ":\(column)" }
        }
        return location.isEmpty ? message : "\(location): \(message)"
    }
}
