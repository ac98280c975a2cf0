import Auth

/// Turns the API key typed into the sign-in page into a principal: the seam through which the security branch's
/// API keys reach the dashboard. Until it lands the gateway supplies none, sign-in is not offered, and pages see
/// the principal of the development identity middleware.
public protocol DashboardAuthenticator: Sendable {
    /// The principal owning `apiKey`, or nil when the key is unknown, revoked or malformed.
    func authenticate(apiKey: String) async -> Principal?
}
