/// A gRPC-style status code carried in every response envelope (`txad.v1.StatusCode`, numbered as
/// `google.rpc.Code`).
///
/// A struct over the raw number rather than an enum, so a code this build does not know (sent by a newer peer)
/// is kept as it is instead of crashing or being rewritten.
public struct RPCStatusCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The wire number.
    public var rawValue: Int32

    /// Wraps any wire number; unknown numbers are kept and print as `CODE_<n>`.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The call succeeded.
    public static let ok = RPCStatusCode(rawValue: 0)
    /// The caller cancelled the call.
    public static let cancelled = RPCStatusCode(rawValue: 1)
    /// An error the peer could not classify.
    public static let unknown = RPCStatusCode(rawValue: 2)
    /// The request is malformed (bad field, undecodable payload, NUL in a string); do not retry unchanged.
    public static let invalidArgument = RPCStatusCode(rawValue: 3)
    /// The deadline passed before a response arrived.
    public static let deadlineExceeded = RPCStatusCode(rawValue: 4)
    /// The named thing does not exist.
    public static let notFound = RPCStatusCode(rawValue: 5)
    /// The thing to create already exists.
    public static let alreadyExists = RPCStatusCode(rawValue: 6)
    /// The caller may not do this.
    public static let permissionDenied = RPCStatusCode(rawValue: 7)
    /// A limit was hit (e.g. a frame larger than the maximum frame size).
    public static let resourceExhausted = RPCStatusCode(rawValue: 8)
    /// The system is not in a state that allows the call (e.g. no model loaded).
    public static let failedPrecondition = RPCStatusCode(rawValue: 9)
    /// The operation was aborted, typically by a concurrency conflict.
    public static let aborted = RPCStatusCode(rawValue: 10)
    /// A value is outside its valid range.
    public static let outOfRange = RPCStatusCode(rawValue: 11)
    /// The server does not implement the method.
    public static let unimplemented = RPCStatusCode(rawValue: 12)
    /// A bug or broken invariant on the peer.
    public static let internalError = RPCStatusCode(rawValue: 13)
    /// The peer cannot be reached right now; retrying later may work.
    public static let unavailable = RPCStatusCode(rawValue: 14)
    /// Unrecoverable data loss or corruption.
    public static let dataLoss = RPCStatusCode(rawValue: 15)
    /// The caller is not authenticated.
    public static let unauthenticated = RPCStatusCode(rawValue: 16)

    /// The proto enum name, e.g. `DEADLINE_EXCEEDED`.
    public var name: String {
        switch rawValue {
        case 0: "OK"
        case 1: "CANCELLED"
        case 2: "UNKNOWN"
        case 3: "INVALID_ARGUMENT"
        case 4: "DEADLINE_EXCEEDED"
        case 5: "NOT_FOUND"
        case 6: "ALREADY_EXISTS"
        case 7: "PERMISSION_DENIED"
        case 8: "RESOURCE_EXHAUSTED"
        case 9: "FAILED_PRECONDITION"
        case 10: "ABORTED"
        case 11: "OUT_OF_RANGE"
        case 12: "UNIMPLEMENTED"
        case 13: "INTERNAL"
        case 14: "UNAVAILABLE"
        case 15: "DATA_LOSS"
        case 16: "UNAUTHENTICATED"
        default: "CODE_\(rawValue)"
        }
    }

    /// A readable form for logs and error messages.

    /// A readable form for logs and error messages.
    public var description: String { name }
}
