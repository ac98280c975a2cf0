/// A service an ``RPCServer`` hosts: it registers a handler for each of its methods.
///
/// The per-service protocols (``Inference/ServiceProtocol`` etc.) implement ``registerMethods(with:)`` for you;
/// conform to one of them and implement its methods.
public protocol RPCService: Sendable {
    /// The service's fully qualified name, e.g. `txad.v1.Inference`; its health status is reported under it.
    var serviceName: String { get }

    /// Registers a handler for every method of the service.
    func registerMethods(with router: inout RPCRouter)
}

/// The table from method names to handlers that an ``RPCServer`` dispatches with.
public struct RPCRouter: Sendable {
    private(set) var handlers: [String: any ServerMethodHandler] = [:]

    /// Creates an empty router.
    public init() {}

    /// Registers `handler` for `method`; a later registration of the same method replaces the earlier one.
    public mutating func register<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        handler: @escaping @Sendable (Request, RPCContext) async throws -> Response
    ) {
        handlers[method.fullName] = UnaryMethodHandler(method: method, body: handler)
    }

    /// The fully qualified names of the registered methods.
    public var methods: [String] { handlers.keys.sorted() }

    /// True when a handler is registered for `fullName`.
    public func hasHandler(forMethod fullName: String) -> Bool { handlers[fullName] != nil }
}
