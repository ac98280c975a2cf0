/// The one error type of experiment tracking.
public struct MLflowError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// The tracking URI or a value to log is invalid; the message names it.
        case invalidArgument
        /// The server could not be reached or timed out.
        case unreachable
        /// The server answered with an error (its `error_code` and message are in the message).
        case rejected
        /// The server's answer was not what its REST API documents.
        case unexpectedReply
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, for people.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
