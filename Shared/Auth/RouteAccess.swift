/// What a route requires of its caller. Every route declares one when it is registered through ``GuardedRouter``;
/// there is no default, so a route that forgets is a compile error, not an open door.
public enum RouteAccess: Sendable, Hashable, CustomStringConvertible {
    /// Anyone, identified or not (`GET /`, `GET /health`, `GET /metrics`, `GET /openapi.json`, sign-in pages).
    case open
    /// An identified principal whose role includes this one.
    case role(Role)

    public var description: String {
        switch self {
        case .open: "open"
        case .role(let role): role.rawValue
        }
    }
}
