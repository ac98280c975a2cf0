/// Per-call settings for the RPC client.
public struct CallOptions: Sendable {
    /// Time the call may take, measured from when `unary` is called; nil uses the client's default deadline.
    /// The remaining time travels in the envelope so the server stops work the caller no longer waits for.
    public var deadline: Duration?
    /// Trace / request id from the edge, carried in the envelope for the server's logs.
    public var requestID: String

    /// Creates options; the defaults use the client's default deadline and send no request id.
    public init(deadline: Duration? = nil, requestID: String = "") {
        self.deadline = deadline
        self.requestID = requestID
    }
}
