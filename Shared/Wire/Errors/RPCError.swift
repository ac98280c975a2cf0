/// The one error type of the Wire module: a status code, a message a person can act on, and the underlying cause.
///
/// Thrown by message decoding and encoding, by the RPC client for every failed call, and understood by the RPC
/// server: a handler that throws an `RPCError` has its code and message sent to the caller as they are; any other
/// error becomes `INTERNAL`. The gateway maps ``code`` to HTTP; nothing else should.
public struct RPCError: Error, Sendable, CustomStringConvertible {
    /// The status code sent on the wire.
    public var code: RPCStatusCode
    /// What went wrong, naming the field, method or peer involved.
    public var message: String
    /// The error that caused this one, if any (kept locally, never sent on the wire).
    public var cause: (any Error & Sendable)?

    /// Creates an error with a code, a message and an optional cause.
    public init(code: RPCStatusCode, message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// A readable form for logs and error messages.

    /// A readable form for logs and error messages.
    public var description: String {
        if let cause {
            return "\(code.name): \(message) (cause: \(cause))"
        }
        return "\(code.name): \(message)"
    }
}

extension RPCError {
    /// An `INVALID_ARGUMENT` error about a string field that contains a NUL character, which protobuf-c would cut.
    static func nulInString(_ field: StaticString) -> RPCError {
        RPCError(
            code: .invalidArgument,
            message: "field \(field) contains a NUL character, which the wire format cannot carry; remove it")
    }

    /// An `INVALID_ARGUMENT` error for bytes that are not a valid encoding of `message`.
    static func undecodable(_ message: String, byteCount: Int) -> RPCError {
        RPCError(
            code: .invalidArgument,
            message:
                "\(byteCount) bytes are not a valid txad.v1.\(message) (truncated, corrupt or another message type)")
    }

    /// An `INVALID_ARGUMENT` error for an enum number this build does not know, in a field that needs a known one.
    static func unknownEnumValue(_ field: StaticString, _ value: Int32) -> RPCError {
        RPCError(code: .invalidArgument, message: "field \(field) has unknown enum value \(value)")
    }

    /// An `INVALID_ARGUMENT` error for a string field that is not valid UTF-8.
    static func invalidUTF8(_ field: StaticString) -> RPCError {
        RPCError(code: .invalidArgument, message: "field \(field) is not valid UTF-8")
    }
}
