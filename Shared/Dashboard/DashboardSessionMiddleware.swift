import Auth
import Hummingbird
import Logging

/// Identifies dashboard requests by their session cookie: under `/dashboard`, a request that arrived without other
/// credentials (`context.principal` nil after the gateway's identification) and with a live ``DashboardSignIn``
/// session gets the session's principal (method `session`). It only identifies; ``GuardedRouter`` decides.
/// Add it after the gateway's identification middleware.
public struct DashboardSessionMiddleware<Context: PrincipalRequestContext>: RouterMiddleware {
    private let sessions: any SessionStore
    private let logger: Logger

    /// Identifies from `sessions`.
    public init(sessions: any SessionStore, logger: Logger) {
        self.sessions = sessions
        self.logger = logger
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard context.principal == nil, request.uri.path.hasPrefix("/dashboard"),
            let id = request.cookies[DashboardSignIn.cookieName]?.value
        else { return try await next(request, context) }
        var context = context
        do {
            if let session = try await sessions.session(id: id) {
                context.principal = Principal(
                    name: session.principal.name, role: session.principal.role, method: .session)
            }
        } catch {
            // Redis down: the request stays anonymous (401 page), never a guessed identity.
            logger.warning("dashboard session lookup failed", metadata: ["error": "\(error)"])
        }
        return try await next(request, context)
    }
}
