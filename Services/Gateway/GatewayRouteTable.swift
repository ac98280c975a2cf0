import Auth
import Dashboard
import Hummingbird
import Registry
import Stores
import Wire

/// Every route set the gateway serves — the REST API, the review API, the model registry and the dashboard — so the
/// server, the 405 table and the route-access test register exactly the same routes through ``GuardedRouter``.
struct GatewayRouteTable: Sendable {
    let api: GatewayRoutes
    let reviews: ReviewRoutes
    let models: ModelRoutes
    let dashboard: DashboardRoutes<GatewayRequestContext>
    /// The dashboard's session identification, when sign-in is offered (after the gateway's own identification).
    let dashboardSessions: DashboardSessionMiddleware<GatewayRequestContext>?

    /// Builds the route sets over the API routes, the alerts service's review RPC and (when given) the registry;
    /// `signIn` offers the dashboard's sign-in with API keys and sessions; `redis` (when given) keeps the dashboard's
    /// batch results where every gateway replica finds them.
    ///
    /// - Throws: `DashboardError` when the dashboard's bundled templates or assets are missing.
    init(
        api: GatewayRoutes, alerts: RPCClient, configuration: GatewayConfiguration, registry: BundleRegistry?,
        signIn: (DashboardSignIn, DashboardSessionMiddleware<GatewayRequestContext>)? = nil, redis: RedisClient? = nil
    ) throws {
        self.api = api
        self.reviews = ReviewRoutes(
            reviews: ReviewsClient(wrapping: alerts), deadline: configuration.requestDeadline,
            bulkDeadline: configuration.batchDeadline)
        self.models = ModelRoutes(registry: registry, selfApprovalAllowed: configuration.allowSelfApproval)
        // The dashboard's review, alert and model pages call the same routes in-process, with the page's context.
        let apiRouter = Router(context: GatewayRequestContext.self)
        let apiRoutes = GuardedRouter(apiRouter)
        reviews.register(on: apiRoutes)
        models.register(on: apiRoutes)
        let csrfKey = configuration.dashboardSecret.map(CSRFProtection.key(secret:)) ?? CSRFProtection.randomKey()
        self.dashboard = try DashboardRoutes<GatewayRequestContext>(
            backend: GatewayDashboardBackend(routes: api), api: DashboardAPI(apiRouter.buildResponder()),
            configuration: .init(
                csrfKey: csrfKey, secureCookies: configuration.https != nil, signIn: signIn?.0,
                batchResults: BatchResultStore(redis: redis)))
        self.dashboardSessions = signIn?.1
    }

    /// Adds every route to `guarded`.
    func register(on guarded: GuardedRouter<GatewayRequestContext>) {
        api.register(on: guarded)
        reviews.register(on: guarded)
        models.register(on: guarded)
        dashboard.register(on: guarded)
    }
}
