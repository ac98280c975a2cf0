/// The outcome of a call, carried on every response envelope (`txad.v1.Status`).
public struct RPCStatus: Sendable, Hashable {
    /// The status code; `.ok` for success.
    public var code: RPCStatusCode
    /// Why the call failed; empty on success.
    public var message: String

    /// Creates a status.
    public init(code: RPCStatusCode = .ok, message: String = "") {
        self.code = code
        self.message = message
    }

    /// The successful status.
    public static let ok = RPCStatus()
}
