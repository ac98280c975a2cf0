/// `txad.v1.Health`: the health check every txad service answers.
public enum Health {
    /// `txad.v1.Health`.
    public static let serviceName = "txad.v1.Health"

    /// The service's methods.
    public enum Method {
        /// `txad.v1.Health/Check` (idempotent).
        public static let check = MethodDescriptor<HealthCheckRequest, HealthCheckResponse>(
            service: Health.serviceName, method: "Check", isIdempotent: true)
    }

    /// The server side of `txad.v1.Health`. ``RPCServer`` hosts an implementation already; implement this only for
    /// a custom one.
    public protocol ServiceProtocol: RPCService {
        /// The status of the server (empty `service`) or of one of its services.
        func check(_ request: HealthCheckRequest, context: RPCContext) async throws -> HealthCheckResponse
    }
}

extension Health.ServiceProtocol {
    /// `txad.v1.Health`.
    public var serviceName: String { Health.serviceName }

    /// Registers ``Health/ServiceProtocol/check(_:context:)``.
    public func registerMethods(with router: inout RPCRouter) {
        router.register(Health.Method.check) { request, context in try await self.check(request, context: context) }
    }
}

/// A typed client for `txad.v1.Health`.
public struct HealthClient: Sendable {
    /// The client calls go through.
    public let client: RPCClient

    /// Wraps a client connected to a txad service.
    public init(wrapping client: RPCClient) {
        self.client = client
    }

    /// `txad.v1.Health/Check`: the default request asks about the whole server.
    public func check(
        _ request: HealthCheckRequest = HealthCheckRequest(), options: CallOptions = CallOptions()
    ) async throws(RPCError) -> HealthCheckResponse {
        try await client.unary(Health.Method.check, request, options: options)
    }
}
