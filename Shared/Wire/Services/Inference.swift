/// `txad.v1.Inference`: feature vectors → scores, model information and reloads (SPEC §4).
public enum Inference {
    /// `txad.v1.Inference`.
    public static let serviceName = "txad.v1.Inference"

    /// The service's methods.
    public enum Method {
        /// `txad.v1.Inference/Score` (idempotent: inference is stateless).
        public static let score = MethodDescriptor<ScoreRequest, ScoreResponse>(
            service: Inference.serviceName, method: "Score", isIdempotent: true)
        /// `txad.v1.Inference/ModelInfo` (idempotent).
        public static let modelInfo = MethodDescriptor<ModelInfoRequest, ModelInfoResponse>(
            service: Inference.serviceName, method: "ModelInfo", isIdempotent: true)
        /// `txad.v1.Inference/Reload` (idempotent: loading the same bundle twice leaves the same state).
        public static let reload = MethodDescriptor<ReloadRequest, ReloadResponse>(
            service: Inference.serviceName, method: "Reload", isIdempotent: true)
    }

    /// The server side of `txad.v1.Inference`; conform and pass the value to ``RPCServer``.
    public protocol ServiceProtocol: RPCService {
        /// One score per vector, in request order.
        func score(_ request: ScoreRequest, context: RPCContext) async throws -> ScoreResponse
        /// The model bundle in service.
        func modelInfo(_ request: ModelInfoRequest, context: RPCContext) async throws -> ModelInfoResponse
        /// Loads a bundle; a bad one is refused and the old one stays.
        func reload(_ request: ReloadRequest, context: RPCContext) async throws -> ReloadResponse
    }
}

extension Inference.ServiceProtocol {
    /// `txad.v1.Inference`.
    public var serviceName: String { Inference.serviceName }

    /// Registers every method of `txad.v1.Inference`.
    public func registerMethods(with router: inout RPCRouter) {
        router.register(Inference.Method.score) { request, context in try await self.score(request, context: context) }
        router.register(Inference.Method.modelInfo) { request, context in
            try await self.modelInfo(request, context: context)
        }
        router.register(Inference.Method.reload) { request, context in try await self.reload(request, context: context)
        }
    }
}

/// A typed client for `txad.v1.Inference`.
public struct InferenceClient: Sendable {
    /// The client calls go through.
    public let client: RPCClient

    /// Wraps a client connected to inference replicas (several targets are used round-robin).
    public init(wrapping client: RPCClient) {
        self.client = client
    }

    /// `txad.v1.Inference/Score`.
    public func score(_ request: ScoreRequest, options: CallOptions = CallOptions()) async throws(RPCError)
        -> ScoreResponse
    {
        try await client.unary(Inference.Method.score, request, options: options)
    }

    /// `txad.v1.Inference/ModelInfo`.
    public func modelInfo(
        _ request: ModelInfoRequest = ModelInfoRequest(), options: CallOptions = CallOptions()
    ) async throws(RPCError) -> ModelInfoResponse {
        try await client.unary(Inference.Method.modelInfo, request, options: options)
    }

    /// `txad.v1.Inference/Reload`.
    public func reload(_ request: ReloadRequest, options: CallOptions = CallOptions()) async throws(RPCError)
        -> ReloadResponse
    {
        try await client.unary(Inference.Method.reload, request, options: options)
    }
}
