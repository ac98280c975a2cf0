import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    /// `X-Analyst`: who the caller says they are while authentication is off.
    public static let analyst = HTTPField.Name("X-Analyst")!
}

/// Identification while authentication is off: every caller is an `admin` named by its `X-Analyst` header
/// (1–64 visible ASCII characters) or `local`. The security issue replaces this middleware with API-key and JWT
/// authenticators; handlers read only `context.principal`, so nothing else changes when it does.
public struct DevelopmentIdentityMiddleware<Context: PrincipalRequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let given = request.headers[.analyst].flatMap { value in
            !value.isEmpty && value.utf8.count <= 64 && value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F } ? value : nil
        }
        context.principal = Principal(name: given ?? "local", role: .admin, method: .unauthenticated)
        return try await next(request, context)
    }
}
