import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    /// `RateLimit-Limit`.
    public static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    /// `RateLimit-Remaining`.
    public static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    /// `RateLimit-Reset`.
    public static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
    /// `X-Forwarded-For`.
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

/// The gateway's front door, before any route: identifies the caller (``Authenticator``), charges the request to
/// the caller's and the client address's rate-limit buckets (``RateLimiter``), then either refuses — 429 over the
/// limit, 401 for invalid credentials, 503 when credentials cannot be checked — or continues with
/// `context.principal` set (nil for anonymous requests; the route's ``RouteAccess`` decides what they may do).
///
/// Requests with bad credentials are charged as anonymous, so guessing keys is limited per address.
public struct AccessMiddleware<Context: PrincipalRequestContext & RemoteAddressRequestContext>: RouterMiddleware {
    private let authenticator: Authenticator
    private let limiter: RateLimiter?
    private let addresses: ClientAddressResolver
    private let logger: Logger

    /// A middleware identifying with `authenticator` and limiting with `limiter` (nil: no rate limits).
    public init(
        authenticator: Authenticator, limiter: RateLimiter?, addresses: ClientAddressResolver, logger: Logger
    ) {
        self.authenticator = authenticator
        self.limiter = limiter
        self.addresses = addresses
        self.logger = logger
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let identification = await authenticator.identify(request.headers)
        var rateHeaders: HTTPFields = [:]
        if let limiter {
            let address = addresses.clientAddress(
                peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor])
            let subject: RateLimiter.Subject =
                if case .identified(let principal) = identification { .principal(principal) } else { .anonymous }
            let verdict = await limiter.check(subject, address: address)
            rateHeaders[.rateLimitLimit] = String(verdict.limit)
            rateHeaders[.rateLimitRemaining] = String(verdict.remaining)
            rateHeaders[.rateLimitReset] = String(verdict.retryAfterSeconds)
            if !verdict.allowed {
                rateHeaders[.retryAfter] = String(verdict.retryAfterSeconds)
                return AccessProblem.response(
                    status: .tooManyRequests,
                    detail: "rate limit exceeded; retry in \(verdict.retryAfterSeconds) s", context,
                    headers: rateHeaders)
            }
        }
        switch identification {
        case .anonymous:
            context.principal = nil
        case .identified(let principal):
            context.principal = principal
        case .refused(let detail):
            return AccessProblem.response(status: .unauthorized, detail: detail, context, headers: rateHeaders)
        case .unavailable:
            var headers = rateHeaders
            headers[.retryAfter] = "1"
            return AccessProblem.response(
                status: .serviceUnavailable, detail: "credentials cannot be checked right now; retry shortly", context,
                headers: headers)
        }
        var response = try await next(request, context)
        response.headers.append(contentsOf: rateHeaders)
        return response
    }
}
