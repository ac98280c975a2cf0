/// Who is calling: the identity decisions, promotions and audit rows record.
public struct Principal: Sendable, Hashable {
    /// How the caller was identified.
    public enum Method: String, Sendable, Hashable {
        /// An API key (`X-API-Key` or `Authorization: Bearer txad_…`).
        case apiKey = "api_key"
        /// A JWT bearer token.
        case jwt
        /// A dashboard session cookie.
        case session
        /// Authentication is switched off (`TXAD_AUTH=off`): every caller is this local principal.
        case unauthenticated
    }

    /// The key name or the JWT subject; never a secret.
    public var name: String
    /// What the caller may do.
    public var role: Role
    /// How it was identified.
    public var method: Method

    /// Creates a principal.
    public init(name: String, role: Role, method: Method) {
        self.name = name
        self.role = role
        self.method = method
    }
}
