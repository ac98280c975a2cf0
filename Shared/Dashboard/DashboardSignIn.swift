/// Sign-in to the dashboard: an API key typed once becomes a server-side session (``SessionStore``) named by an
/// HttpOnly, `SameSite=Strict` cookie. Given to ``DashboardRoutes/Configuration`` by a gateway that authenticates
/// callers; without it the sign-in pages are not offered.
public struct DashboardSignIn: Sendable {
    /// The session cookie's name.
    public static let cookieName = "txad_session"

    /// Checks the typed key.
    public var authenticator: any DashboardAuthenticator
    /// Where sessions live (Redis, shared by replicas).
    public var sessions: any SessionStore
    /// How long a session lasts from sign-in.
    public var lifetime: Duration

    /// Creates the sign-in settings.
    public init(
        authenticator: any DashboardAuthenticator, sessions: any SessionStore, lifetime: Duration = .seconds(8 * 3600)
    ) {
        self.authenticator = authenticator
        self.sessions = sessions
        self.lifetime = lifetime
    }
}
