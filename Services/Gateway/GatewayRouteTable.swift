import Auth
import Dashboard
import Registry
import Wire

/// Every route set the gateway serves — the REST API, the review API, the model registry and the dashboard — so the
/// server, the 405 table and the route-access test register exactly the same routes through ``GuardedRouter``.
struct GatewayRouteTable: Sendable {
    let api: GatewayRoutes
    let reviews: ReviewRoutes
    let models: ModelRoutes
    let dashboard: DashboardRoutes<GatewayRequestContext>

    /// Builds the route sets over the API routes, the alerts service's review RPC and (when given) the registry.
    ///
    /// - Throws: `DashboardError` when the dashboard's bundled templates or assets are missing.
    init(
        api: GatewayRoutes, alerts: RPCClient, configuration: GatewayConfiguration, registry: BundleRegistry?
    ) throws {
        self.api = api
        self.reviews = ReviewRoutes(
            reviews: ReviewsClient(wrapping: alerts), deadline: configuration.requestDeadline,
            bulkDeadline: configuration.batchDeadline)
        self.models = ModelRoutes(registry: registry, selfApprovalAllowed: configuration.allowSelfApproval)
        self.dashboard = try DashboardRoutes<GatewayRequestContext>(backend: GatewayDashboardBackend(routes: api))
    }

    /// Adds every route to `guarded`.
    func register(on guarded: GuardedRouter<GatewayRequestContext>) {
        api.register(on: guarded)
        reviews.register(on: guarded)
        models.register(on: guarded)
        dashboard.register(on: guarded)
    }
}
