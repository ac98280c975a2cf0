/// `txad.v1.Reviews`: the analysts' review API, served by the alerts service (SPEC §5–6).
public enum Reviews {
    /// `txad.v1.Reviews`.
    public static let serviceName = "txad.v1.Reviews"

    /// The service's methods.
    public enum Method {
        /// `txad.v1.Reviews/ListAlerts` (idempotent).
        public static let listAlerts = MethodDescriptor<ListAlertsRequest, ListAlertsResponse>(
            service: Reviews.serviceName, method: "ListAlerts", isIdempotent: true)
        /// `txad.v1.Reviews/GetAlert` (idempotent).
        public static let getAlert = MethodDescriptor<GetAlertRequest, GetAlertResponse>(
            service: Reviews.serviceName, method: "GetAlert", isIdempotent: true)
        /// `txad.v1.Reviews/Queue` (idempotent).
        public static let queue = MethodDescriptor<ReviewQueueRequest, ReviewQueueResponse>(
            service: Reviews.serviceName, method: "Queue", isIdempotent: true)
        /// `txad.v1.Reviews/Claim` (idempotent: the same analyst claiming again extends the claim).
        public static let claim = MethodDescriptor<ClaimRequest, ClaimResponse>(
            service: Reviews.serviceName, method: "Claim", isIdempotent: true)
        /// `txad.v1.Reviews/ClaimNext`. Not idempotent: a repeat claims another alert.
        public static let claimNext = MethodDescriptor<ClaimRequest, ClaimResponse>(
            service: Reviews.serviceName, method: "ClaimNext", isIdempotent: false)
        /// `txad.v1.Reviews/Decide` (idempotent: a repeat is answered from the idempotency key, or
        /// finds the same decision in place).
        public static let decide = MethodDescriptor<ReviewDecideRequest, ReviewDecideResponse>(
            service: Reviews.serviceName, method: "Decide", isIdempotent: true)
        /// `txad.v1.Reviews/DecideMany` (idempotent, as `Decide`).
        public static let decideMany = MethodDescriptor<DecideManyRequest, DecideManyResponse>(
            service: Reviews.serviceName, method: "DecideMany", isIdempotent: true)
        /// `txad.v1.Reviews/Stats` (idempotent).
        public static let stats = MethodDescriptor<ReviewStatsRequest, ReviewStatsResponse>(
            service: Reviews.serviceName, method: "Stats", isIdempotent: true)
    }

    /// The server side of `txad.v1.Reviews`; conform and pass the value to ``RPCServer``.
    public protocol ServiceProtocol: RPCService {
        /// A page of alerts, newest first, filtered.
        func listAlerts(_ request: ListAlertsRequest, context: RPCContext) async throws -> ListAlertsResponse
        /// One alert with its prediction, the user's recent transactions, deliveries and overrides.
        func getAlert(_ request: GetAlertRequest, context: RPCContext) async throws -> GetAlertResponse
        /// The pending queue, highest risk first, then oldest, with age and SLA state.
        func queue(_ request: ReviewQueueRequest, context: RPCContext) async throws -> ReviewQueueResponse
        /// Claims one alert for the analyst; another analyst's live claim is `ABORTED`.
        func claim(_ request: ClaimRequest, context: RPCContext) async throws -> ClaimResponse
        /// Claims the next unclaimed pending alert (highest risk, then oldest).
        func claimNext(_ request: ClaimRequest, context: RPCContext) async throws -> ClaimResponse
        /// Records a decision: idempotent by key, audited when it overrides a different one.
        func decide(_ request: ReviewDecideRequest, context: RPCContext) async throws -> ReviewDecideResponse
        /// Records up to 500 decisions, each like `Decide`, with a result per item.
        func decideMany(_ request: DecideManyRequest, context: RPCContext) async throws -> DecideManyResponse
        /// Review and notification figures for `/stats`.
        func stats(_ request: ReviewStatsRequest, context: RPCContext) async throws -> ReviewStatsResponse
    }
}

extension Reviews.ServiceProtocol {
    /// `txad.v1.Reviews`.
    public var serviceName: String { Reviews.serviceName }

    /// Registers every method of `txad.v1.Reviews`.
    public func registerMethods(with router: inout RPCRouter) {
        router.register(Reviews.Method.listAlerts) { request, context in
            try await self.listAlerts(request, context: context)
        }
        router.register(Reviews.Method.getAlert) { request, context in
            try await self.getAlert(request, context: context)
        }
        router.register(Reviews.Method.queue) { request, context in
            try await self.queue(request, context: context)
        }
        router.register(Reviews.Method.claim) { request, context in
            try await self.claim(request, context: context)
        }
        router.register(Reviews.Method.claimNext) { request, context in
            try await self.claimNext(request, context: context)
        }
        router.register(Reviews.Method.decide) { request, context in
            try await self.decide(request, context: context)
        }
        router.register(Reviews.Method.decideMany) { request, context in
            try await self.decideMany(request, context: context)
        }
        router.register(Reviews.Method.stats) { request, context in
            try await self.stats(request, context: context)
        }
    }
}

/// A typed client for `txad.v1.Reviews`.
public struct ReviewsClient: Sendable {
    /// The client calls go through.
    public let client: RPCClient

    /// Wraps a client connected to alerts replicas.
    public init(wrapping client: RPCClient) {
        self.client = client
    }

    /// `txad.v1.Reviews/ListAlerts`: a page of alerts, newest first, filtered.
    public func listAlerts(_ request: ListAlertsRequest, options: CallOptions = CallOptions()) async throws(RPCError)
        -> ListAlertsResponse
    {
        try await client.unary(Reviews.Method.listAlerts, request, options: options)
    }

    /// `txad.v1.Reviews/GetAlert`: one alert with its prediction, the user's recent transactions, deliveries and
    /// overrides.
    public func getAlert(_ request: GetAlertRequest, options: CallOptions = CallOptions()) async throws(RPCError)
        -> GetAlertResponse
    {
        try await client.unary(Reviews.Method.getAlert, request, options: options)
    }

    /// `txad.v1.Reviews/Queue`: the pending queue, highest risk first, then oldest, with age and SLA state.
    public func queue(_ request: ReviewQueueRequest, options: CallOptions = CallOptions()) async throws(RPCError)
        -> ReviewQueueResponse
    {
        try await client.unary(Reviews.Method.queue, request, options: options)
    }

    /// `txad.v1.Reviews/Claim`: claims one alert for the analyst; another analyst's live claim is `ABORTED`.
    public func claim(_ request: ClaimRequest, options: CallOptions = CallOptions()) async throws(RPCError)
        -> ClaimResponse
    {
        try await client.unary(Reviews.Method.claim, request, options: options)
    }

    /// `txad.v1.Reviews/ClaimNext`: claims the next unclaimed pending alert (highest risk, then oldest).
    public func claimNext(_ request: ClaimRequest, options: CallOptions = CallOptions()) async throws(RPCError)
        -> ClaimResponse
    {
        try await client.unary(Reviews.Method.claimNext, request, options: options)
    }

    /// `txad.v1.Reviews/Decide`: records a decision: idempotent by key, audited when it overrides a different one.
    public func decide(_ request: ReviewDecideRequest, options: CallOptions = CallOptions()) async throws(RPCError)
        -> ReviewDecideResponse
    {
        try await client.unary(Reviews.Method.decide, request, options: options)
    }

    /// `txad.v1.Reviews/DecideMany`: records up to 500 decisions, each like `Decide`, with a result per item.
    public func decideMany(_ request: DecideManyRequest, options: CallOptions = CallOptions()) async throws(RPCError)
        -> DecideManyResponse
    {
        try await client.unary(Reviews.Method.decideMany, request, options: options)
    }

    /// `txad.v1.Reviews/Stats`: review and notification figures for `/stats`.
    public func stats(_ request: ReviewStatsRequest, options: CallOptions = CallOptions()) async throws(RPCError)
        -> ReviewStatsResponse
    {
        try await client.unary(Reviews.Method.stats, request, options: options)
    }
}
