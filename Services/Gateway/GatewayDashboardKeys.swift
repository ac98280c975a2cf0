import Auth
import Dashboard
import HTTPTypes
import Logging
import Stores

/// The dashboard's sign-in over the gateway's API keys: a typed key is checked exactly as an `X-API-Key` header
/// would be (same cache, same revocation bound); JWTs are not accepted on the sign-in form.
struct GatewayDashboardKeys: DashboardAuthenticator {
    let authenticator: Authenticator

    func authenticate(apiKey: String) async -> Principal? {
        guard case .identified(let principal) = await authenticator.identify([.apiKey: apiKey]) else { return nil }
        return principal
    }

    /// Sign-in when API keys are accepted and Redis holds the sessions; nil otherwise (logged).
    static func signIn(
        keys: APIKeyAuthenticator?, redis: RedisClient?, logger: Logger
    ) -> (DashboardSignIn, DashboardSessionMiddleware<GatewayRequestContext>)? {
        guard let keys else { return nil }
        guard let redis else {
            logger.warning("dashboard sign-in is off: sessions need REDIS_URL")
            return nil
        }
        let sessions = RedisSessionStore(redis: redis)
        return (
            DashboardSignIn(
                authenticator: GatewayDashboardKeys(authenticator: Authenticator(keys: keys, tokens: nil)),
                sessions: sessions),
            DashboardSessionMiddleware(sessions: sessions, logger: logger)
        )
    }
}
