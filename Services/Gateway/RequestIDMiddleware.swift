import Auth
import HTTPTypes
import Hummingbird
import NIOCore

extension HTTPField.Name {
    /// `X-Request-ID`.
    static let requestID = HTTPField.Name("X-Request-ID")!
}

/// The request context of the gateway: Hummingbird's core context, the request id and the identified caller.
struct GatewayRequestContext: PrincipalRequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// Set by ``RequestIDMiddleware`` before any handler runs.
    var requestID = ""
    /// Set by the identification middleware (``DevelopmentIdentityMiddleware`` until authentication lands).
    var principal: Principal?
    /// The TCP peer (a proxy's address when behind one; ``ClientAddressResolver`` finds the client).
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}

/// Gives every request an `X-Request-ID` (the client's when it sent a sane one, otherwise a new random one), puts
/// it in the context for the handlers and returns it on the response, errors included.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let given = request.headers[.requestID], Self.isAcceptable(given) {
            context.requestID = given
        } else {
            context.requestID = Self.generate()
        }
        let id = context.requestID
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = id
            return response
        } catch var error as HTTPError {
            error.headers[.requestID] = id
            throw error
        }
    }

    /// 1–128 visible ASCII characters: anything else is replaced, so logs and envelopes stay clean.
    static func isAcceptable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = String(generator.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
