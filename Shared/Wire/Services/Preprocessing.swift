/// `txad.v1.Preprocessing`: transactions → feature vectors (SPEC §4).
public enum Preprocessing {
    /// `txad.v1.Preprocessing`.
    public static let serviceName = "txad.v1.Preprocessing"

    /// The service's methods.
    public enum Method {
        /// `txad.v1.Preprocessing/Preprocess`. Not idempotent: it advances each user's state.
        public static let preprocess = MethodDescriptor<PreprocessRequest, PreprocessResponse>(
            service: Preprocessing.serviceName, method: "Preprocess", isIdempotent: false)
    }

    /// The server side of `txad.v1.Preprocessing`; conform and pass the value to ``RPCServer``.
    public protocol ServiceProtocol: RPCService {
        /// One feature vector per transaction, in request order.
        func preprocess(_ request: PreprocessRequest, context: RPCContext) async throws -> PreprocessResponse
    }
}

extension Preprocessing.ServiceProtocol {
    /// `txad.v1.Preprocessing`.
    public var serviceName: String { Preprocessing.serviceName }

    /// Registers every method of `txad.v1.Preprocessing`.
    public func registerMethods(with router: inout RPCRouter) {
        router.register(Preprocessing.Method.preprocess) { request, context in
            try await self.preprocess(request, context: context)
        }
    }
}

/// A typed client for `txad.v1.Preprocessing`.
public struct PreprocessingClient: Sendable {
    /// The client calls go through.
    public let client: RPCClient

    /// Wraps a client connected to preprocessing replicas.
    public init(wrapping client: RPCClient) {
        self.client = client
    }

    /// `txad.v1.Preprocessing/Preprocess`.
    public func preprocess(
        _ request: PreprocessRequest, options: CallOptions = CallOptions()
    ) async throws(RPCError) -> PreprocessResponse {
        try await client.unary(Preprocessing.Method.preprocess, request, options: options)
    }
}
