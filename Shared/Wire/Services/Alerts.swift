/// `txad.v1.Alerts`: durable recording of scored transactions, statistics and the review queue (SPEC §4–5).
public enum Alerts {
    /// `txad.v1.Alerts`.
    public static let serviceName = "txad.v1.Alerts"

    /// The service's methods.
    public enum Method {
        /// `txad.v1.Alerts/Record` (idempotent: recording is keyed by transaction id).
        public static let record = MethodDescriptor<RecordRequest, RecordResponse>(
            service: Alerts.serviceName, method: "Record", isIdempotent: true)
        /// `txad.v1.Alerts/Stats` (idempotent).
        public static let stats = MethodDescriptor<StatsRequest, StatsResponse>(
            service: Alerts.serviceName, method: "Stats", isIdempotent: true)
        /// `txad.v1.Alerts/ListReviews` (idempotent).
        public static let listReviews = MethodDescriptor<ListReviewsRequest, ListReviewsResponse>(
            service: Alerts.serviceName, method: "ListReviews", isIdempotent: true)
        /// `txad.v1.Alerts/Decide`. Not idempotent: a repeat could overwrite a later decision.
        public static let decide = MethodDescriptor<DecideRequest, DecideResponse>(
            service: Alerts.serviceName, method: "Decide", isIdempotent: false)
    }

    /// The server side of `txad.v1.Alerts`; conform and pass the value to ``RPCServer``.
    public protocol ServiceProtocol: RPCService {
        /// Records scored transactions; answers only once alerts among them are durable.
        func record(_ request: RecordRequest, context: RPCContext) async throws -> RecordResponse
        /// Prediction, alert and review figures.
        func stats(_ request: StatsRequest, context: RPCContext) async throws -> StatsResponse
        /// A filtered page of alerts.
        func listReviews(_ request: ListReviewsRequest, context: RPCContext) async throws -> ListReviewsResponse
        /// Records an analyst's decision.
        func decide(_ request: DecideRequest, context: RPCContext) async throws -> DecideResponse
    }
}

extension Alerts.ServiceProtocol {
    /// `txad.v1.Alerts`.
    public var serviceName: String { Alerts.serviceName }

    /// Registers every method of `txad.v1.Alerts`.
    public func registerMethods(with router: inout RPCRouter) {
        router.register(Alerts.Method.record) { request, context in try await self.record(request, context: context) }
        router.register(Alerts.Method.stats) { request, context in try await self.stats(request, context: context) }
        router.register(Alerts.Method.listReviews) { request, context in
            try await self.listReviews(request, context: context)
        }
        router.register(Alerts.Method.decide) { request, context in try await self.decide(request, context: context) }
    }
}

/// A typed client for `txad.v1.Alerts`.
public struct AlertsClient: Sendable {
    /// The client calls go through.
    public let client: RPCClient

    /// Wraps a client connected to alerts replicas.
    public init(wrapping client: RPCClient) {
        self.client = client
    }

    /// `txad.v1.Alerts/Record`.
    public func record(_ request: RecordRequest, options: CallOptions = CallOptions()) async throws(RPCError)
        -> RecordResponse
    {
        try await client.unary(Alerts.Method.record, request, options: options)
    }

    /// `txad.v1.Alerts/Stats`.
    public func stats(_ request: StatsRequest = StatsRequest(), options: CallOptions = CallOptions())
        async throws(RPCError) -> StatsResponse
    {
        try await client.unary(Alerts.Method.stats, request, options: options)
    }

    /// `txad.v1.Alerts/ListReviews`.
    public func listReviews(_ request: ListReviewsRequest, options: CallOptions = CallOptions())
        async throws(RPCError) -> ListReviewsResponse
    {
        try await client.unary(Alerts.Method.listReviews, request, options: options)
    }

    /// `txad.v1.Alerts/Decide`.
    public func decide(_ request: DecideRequest, options: CallOptions = CallOptions()) async throws(RPCError)
        -> DecideResponse
    {
        try await client.unary(Alerts.Method.decide, request, options: options)
    }
}
