import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    /// `X-Frame-Options`.
    public static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    /// `Referrer-Policy`.
    public static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}

/// Security headers on every response, errors included: no MIME sniffing, no framing, no referrer, a strict
/// Content-Security-Policy (same-origin scripts, styles and images only, no plugins, no inline script — what the
/// server-rendered dashboard needs and nothing more), `Cache-Control: no-store` unless a handler chose otherwise
/// (answers depend on who asks), and HSTS when served over TLS.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The Content-Security-Policy sent.
    public static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    private let tls: Bool

    /// The middleware; `tls` adds `Strict-Transport-Security`.
    public init(tls: Bool = false) {
        self.tls = tls
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            var response = try await next(request, context)
            apply(to: &response.headers)
            return response
        } catch var error as HTTPError {
            apply(to: &error.headers)
            throw error
        }
    }

    private func apply(to headers: inout HTTPFields) {
        headers[.xContentTypeOptions] = "nosniff"
        headers[.xFrameOptions] = "DENY"
        headers[.referrerPolicy] = "no-referrer"
        headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
        if tls { headers[.strictTransportSecurity] = "max-age=31536000" }
    }
}
