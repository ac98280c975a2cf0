import Hummingbird

/// A request context that carries the identified caller. The gateway's context conforms; identification
/// middleware sets ``principal``, and ``GuardedRouter`` checks it against each route's ``RouteAccess``.
public protocol PrincipalRequestContext: RequestContext {
    /// The caller, once identified; nil for an anonymous request.
    var principal: Principal? { get set }
    /// The request id (`X-Request-ID`), for problem documents.
    var requestID: String { get }
}
