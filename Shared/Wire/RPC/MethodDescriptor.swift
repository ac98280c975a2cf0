/// One RPC method: its fully qualified name, request and response types, and whether it is safe to retry.
///
/// The per-service namespaces (``Health``, ``Preprocessing``, ``Inference``, ``Alerts``) declare one for each
/// method of `proto/txad/v1`. The RPC client retries a call after a connection failure only when
/// ``isIdempotent`` is true (or when the request was never sent).
public struct MethodDescriptor<Request: WireMessage, Response: WireMessage>: Sendable, Hashable {
    /// The service's fully qualified name, e.g. `txad.v1.Inference`.
    public let service: String
    /// The method's name within the service, e.g. `Score`.
    public let method: String
    /// `service/method`, e.g. `txad.v1.Inference/Score`: the name carried in every request envelope.
    public let fullName: String
    /// True when running the call twice has the same effect as running it once.
    public let isIdempotent: Bool

    /// Creates a descriptor.
    public init(service: String, method: String, isIdempotent: Bool) {
        self.service = service
        self.method = method
        self.fullName = "\(service)/\(method)"
        self.isIdempotent = isIdempotent
    }
}
