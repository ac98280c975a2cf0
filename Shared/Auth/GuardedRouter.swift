import HTTPTypes
import Hummingbird

/// The one place routes are added to the gateway: each registration names its ``RouteAccess``, and the handler
/// runs only when the context's principal satisfies it (deny by default). Every module that serves HTTP — the
/// gateway's REST API, the review API, the model registry, the dashboard — registers through this type, and
/// ``declared`` lists them all so a test can compare it with the router's own table.
///
/// Used while the application is assembled, on one task; not `Sendable`, like Hummingbird's `Router`.
public final class GuardedRouter<Context: PrincipalRequestContext> {
    /// One declared route.
    public struct Declaration: Sendable, Hashable, CustomStringConvertible {
        /// The HTTP method.
        public var method: HTTPRequest.Method
        /// The path as registered (e.g. `/reviews/{alert_id}/claim`).
        public var path: String
        /// Who may call it.
        public var access: RouteAccess

        public var description: String { "\(method) \(path) [\(access)]" }
    }

    /// The Hummingbird router the routes are added to.
    public let router: Router<Context>
    /// Every route registered so far.
    public private(set) var declared: [Declaration] = []
    private let deny: @Sendable (_ access: RouteAccess, _ context: Context) -> Response?
    private var refusalPages: [(prefix: String, render: RefusalPage)] = []

    /// Turns a refusal (the 401/403 problem response ``deny`` gave) into what a route family shows instead, e.g. the
    /// dashboard's HTML pages; it keeps the refusal's status.
    public typealias RefusalPage = @Sendable (_ refusal: Response, _ context: Context) -> Response

    /// Wraps `router`. `deny` decides a request's fate before its handler: nil lets it through, a response (401,
    /// 403) is returned instead. The default lets through open routes and principals whose role suffices.
    public init(
        _ router: Router<Context>,
        deny: @escaping @Sendable (_ access: RouteAccess, _ context: Context) -> Response? = GuardedRouter.defaultDeny
    ) {
        self.router = router
        self.deny = deny
    }

    /// Routes added from now on whose path starts with `prefix` show refusals through `page` (the access rules stay
    /// the ones declared with each route).
    public func renderRefusals(under prefix: String, with page: @escaping RefusalPage) {
        refusalPages.append((prefix, page))
    }

    /// Adds a route requiring `access`.
    public func on(
        _ path: String, method: HTTPRequest.Method, access: RouteAccess,
        use handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) {
        declared.append(Declaration(method: method, path: path, access: access))
        let deny = self.deny
        let page = refusalPages.last { path.hasPrefix($0.prefix) }?.render
        router.on(RouterPath(path), method: method) { request, context -> Response in
            if let refusal = deny(access, context) { return page?(refusal, context) ?? refusal }
            return try await handler(request, context)
        }
    }

    /// Adds a `GET` route requiring `access`.
    public func get(
        _ path: String, access: RouteAccess, use handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) {
        on(path, method: .get, access: access, use: handler)
    }

    /// Adds a `POST` route requiring `access`.
    public func post(
        _ path: String, access: RouteAccess, use handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) {
        on(path, method: .post, access: access, use: handler)
    }

    /// Adds a `DELETE` route requiring `access`.
    public func delete(
        _ path: String, access: RouteAccess, use handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) {
        on(path, method: .delete, access: access, use: handler)
    }

    /// Open routes pass; others need a principal (401 without one) whose role includes the required one (403).
    public static func defaultDeny(_ access: RouteAccess, _ context: Context) -> Response? {
        guard case .role(let required) = access else { return nil }
        guard let principal = context.principal else {
            return AccessProblem.response(status: .unauthorized, detail: "this route needs credentials", context)
        }
        guard principal.role.includes(required) else {
            return AccessProblem.response(
                status: .forbidden, detail: "role \(principal.role.rawValue) may not do this; it needs \(required.rawValue)",
                context)
        }
        return nil
    }
}
