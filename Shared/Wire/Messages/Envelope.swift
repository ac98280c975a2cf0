/// One request or response frame's content (`txad.v1.Envelope`): routing, deadline, trace id, status and payload.
///
/// The RPC client and server build and read envelopes themselves on a faster path; this value type is for tests,
/// tools and anyone speaking the protocol by hand. See SPEC §4.
public struct Envelope: Sendable, Hashable {
    /// Chosen by the client, unique per connection; the response carries the same id.
    public var callID: UInt64
    /// Fully qualified method, e.g. `txad.v1.Inference/Score`; empty on responses.
    public var method: String
    /// Time the caller is willing to wait, in milliseconds from sending; 0 means no deadline.
    public var deadlineMillis: UInt32
    /// Trace / request id from the edge (`X-Request-ID`), for logs.
    public var requestID: String
    /// Set on responses; nil on requests.
    public var status: RPCStatus?
    /// The serialized request or response message.
    public var payload: [UInt8]

    /// Creates an envelope.
    public init(
        callID: UInt64 = 0, method: String = "", deadlineMillis: UInt32 = 0, requestID: String = "",
        status: RPCStatus? = nil, payload: [UInt8] = []
    ) {
        self.callID = callID
        self.method = method
        self.deadlineMillis = deadlineMillis
        self.requestID = requestID
        self.status = status
        self.payload = payload
    }
}
