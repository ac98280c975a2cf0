import Auth
import Credentials
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Stores

/// The gateway's authentication and rate limiting, built from ``AccessConfiguration``: the middleware that goes in
/// front of every route, the background services it needs (API key cache refresh), and what to close at the end.
struct GatewayAccess: Sendable {
    let configuration: AccessConfiguration
    /// The identification and rate-limit middleware; nil when authentication is off.
    let middleware: AccessMiddleware<GatewayRequestContext>?
    /// Services to run beside the HTTP server.
    let services: [any Service]
    /// The key store's own client, closed on shutdown (nil when it uses the gateway's shared client).
    let postgres: PostgresClient?
    /// API keys, when accepted (the dashboard's sign-in checks typed keys with it).
    var keys: APIKeyAuthenticator? = nil

    /// Builds the pieces; `redis` (the gateway's client, if any) holds the shared rate-limit buckets. `database` is
    /// the gateway's PostgreSQL client for the same database, if it has one (the model registry's): the key store
    /// then shares its pool instead of opening a second one; otherwise the key store opens its own.
    ///
    /// - Throws: ``AuthConfigurationError`` for unusable JWT keys, `StoreError` for a malformed database URL.
    static func make(
        configuration: AccessConfiguration, redis: RedisClient?, database: (url: String, client: PostgresClient)? = nil,
        logger: Logger
    ) async throws -> GatewayAccess {
        guard configuration.enabled else {
            logger.critical(
                """
                AUTHENTICATION IS OFF (TXAD_AUTH=off): every caller is an admin named by its X-Analyst header. \
                Never expose this gateway beyond your own machine.
                """)
            FileHandle.standardError.write(
                Data(
                    """
                    \n!!! txad-gateway: AUTHENTICATION IS OFF (TXAD_AUTH=off) — anyone who reaches this port is an \
                    admin. For local experiments only. !!!\n\n
                    """.utf8))
            return GatewayAccess(configuration: configuration, middleware: nil, services: [], postgres: nil)
        }
        var services: [any Service] = []
        var postgres: PostgresClient?
        var keys: APIKeyAuthenticator?
        if let url = configuration.databaseURL {
            let client: PostgresClient
            if let database, database.url == url {
                client = database.client
            } else {
                client = try PostgresClient(url: url, logger: logger)
                postgres = client
            }
            let authenticator = APIKeyAuthenticator(
                store: APIKeyStore(client: client), configuration: configuration.keyCache, logger: logger)
            keys = authenticator
            services.append(APIKeyCacheRefresher(authenticator: authenticator, logger: logger))
        }
        var tokens: JWTAuthenticator?
        if let jwt = configuration.jwt {
            let authenticator = try await JWTAuthenticator(configuration: jwt)
            tokens = authenticator
            if let source = authenticator.jwksSource, source.url != nil {
                services.append(JWKSRefresher(source: source, interval: jwt.jwksRefresh, logger: logger))
            }
        }
        let limiter = configuration.rateLimits.map { RateLimiter(limits: $0, redis: redis, logger: logger) }
        if configuration.rateLimits != nil, redis == nil {
            logger.warning("rate limits are per replica: no REDIS_URL to share them through")
        }
        let middleware = AccessMiddleware<GatewayRequestContext>(
            authenticator: Authenticator(keys: keys, tokens: tokens), limiter: limiter,
            addresses: ClientAddressResolver(trustedProxies: configuration.trustedProxies), logger: logger)
        return GatewayAccess(
            configuration: configuration, middleware: middleware, services: services, postgres: postgres, keys: keys)
    }

    /// The gateway's router: request ids, security headers, metrics, 405 for undeclared methods, then identification (the real one, or the
    /// development identity when authentication is off), then every route through ``GuardedRouter``.
    func router(routes: GatewayRouteTable) -> GuardedRouter<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.middlewares.add(RequestIDMiddleware())
        router.middlewares.add(SecurityHeadersMiddleware<GatewayRequestContext>())
        router.middlewares.add(MetricsMiddleware())
        let declared = DeclaredRoutes()
        router.middlewares.add(MethodNotAllowedMiddleware<GatewayRequestContext>(routes: declared))
        if let middleware {
            router.middlewares.add(middleware)
        } else {
            router.middlewares.add(DevelopmentIdentityMiddleware<GatewayRequestContext>())
        }
        if let sessions = routes.dashboardSessions { router.middlewares.add(sessions) }
        let guarded = GuardedRouter(router)
        routes.register(on: guarded)
        declared.set(guarded.declared)
        return guarded
    }
}
