import Auth
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import Testing

struct TestContext: PrincipalRequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    var principal: Principal?
    var requestID: String { "test-request" }
    var remoteAddress: SocketAddress? { nil }

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}

@Suite("Access middleware: identification, refusals, rate-limit and security headers")
struct AccessMiddlewareTests {
    static func app(limits: RateLimits? = nil) async throws -> some ApplicationProtocol {
        let tokens = try await JWTAuthenticatorTests.authenticator()
        let router = Router(context: TestContext.self)
        router.middlewares.add(SecurityHeadersMiddleware<TestContext>())
        router.middlewares.add(
            AccessMiddleware<TestContext>(
                authenticator: Authenticator(keys: nil, tokens: tokens),
                limiter: limits.map { RateLimiter(limits: $0, redis: nil, logger: AuthFixtures.logger) },
                addresses: ClientAddressResolver(), logger: AuthFixtures.logger))
        let guarded = GuardedRouter(router)
        guarded.get("/", access: .open) { _, _ in Response(status: .ok) }
        guarded.post("/predict", access: .role(.scorer)) { _, context in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: context.principal?.name ?? "?")))
        }
        guarded.get("/models", access: .role(.admin)) { _, _ in Response(status: .ok) }
        return Application(router: router)
    }

    static func token(role: String, subject: String = "alice") async throws -> String {
        struct Claims: JWTPayload {
            var sub: String
            var iss = "https://idp.example.com"
            var aud = "txad"
            var exp = Date().timeIntervalSince1970 + 300
            var role: String
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        return try await JWTAuthenticatorTests.sign(Claims(sub: subject, role: role))
    }

    @Test("anonymous → 401 with WWW-Authenticate; low role → 403; enough role → handler sees the principal")
    func refusals() async throws {
        let scorer = try await Self.token(role: "scorer")
        let admin = try await Self.token(role: "admin", subject: "root-user")
        try await Self.app().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/predict", method: .post) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"txad\"")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/models", method: .get, headers: [.authorization: "Bearer \(scorer)"]) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/predict", method: .post, headers: [.authorization: "Bearer \(admin)"]) {
                #expect($0.status == .ok)
                #expect(String(buffer: $0.body) == "root-user")
            }
            // Invalid credentials are refused even on open routes, so clients learn their key is bad.
            try await client.execute(uri: "/", method: .get, headers: [.authorization: "Bearer nonsense.token.here"]) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/", method: .get, headers: [.authorization: "Basic dXNlcjpwYXNz"]) {
                #expect($0.status == .unauthorized)
            }
            // API keys are refused when the gateway has no key store.
            try await client.execute(uri: "/predict", method: .post, headers: [.apiKey: "txad_live_abc"]) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test("security headers on every response, errors included")
    func securityHeaders() async throws {
        try await Self.app().test(.router) { client in
            for (uri, method) in [("/", HTTPRequest.Method.get), ("/predict", .post), ("/nowhere", .get)] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                    #expect(response.headers[.cacheControl] == "no-store", "\(uri)")
                    #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true, "\(uri)")
                    #expect(response.headers[.xFrameOptions] == "DENY", "\(uri)")
                }
            }
        }
    }

    @Test("over the limit → 429 with Retry-After and RateLimit-* headers")
    func tooMany() async throws {
        let limits = RateLimits(
            perRole: [.scorer: .init(ratePerSecond: 0.1, burst: 2)], anonymous: .init(ratePerSecond: 0.1, burst: 2),
            perAddress: .init(ratePerSecond: 100, burst: 100))
        let scorer = try await Self.token(role: "scorer")
        try await Self.app(limits: limits).test(.router) { client in
            for _ in 0..<2 {
                try await client.execute(uri: "/predict", method: .post, headers: [.authorization: "Bearer \(scorer)"]) {
                    #expect($0.status == .ok)
                    #expect($0.headers[.rateLimitLimit] == "2")
                }
            }
            try await client.execute(uri: "/predict", method: .post, headers: [.authorization: "Bearer \(scorer)"]) {
                #expect($0.status == .tooManyRequests)
                #expect(Int($0.headers[.retryAfter] ?? "") ?? 0 >= 1)
                #expect($0.headers[.rateLimitRemaining] == "0")
                #expect($0.headers[.rateLimitReset] != nil)
            }
        }
    }
}
