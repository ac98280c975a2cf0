import Auth
import EmbeddedStores
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Stores
import Testing

@testable import Dashboard

/// Sign-in with an API key → a session in a real `redis-server` → the session cookie identifies dashboard pages;
/// roles as the API's; sign-out ends the session on the server.
@Suite struct DashboardSignInTests {
    struct Keys: DashboardAuthenticator {
        func authenticate(apiKey: String) async -> Principal? {
            switch apiKey {
            case "txad_analyst_key": Principal(name: "erin", role: .analyst, method: .apiKey)
            case "txad_scorer_key": Principal(name: "sam", role: .scorer, method: .apiKey)
            default: nil
            }
        }
    }

    static let lifetime = Duration.seconds(3600)

    private func withApp(
        _ body: @Sendable (any TestClientProtocol, RedisSessionStore, RedisClient) async throws -> Void
    ) async throws {
        let configuration = try RedisClient.Configuration(url: try await TestStores.redisURL(), poolSize: 2)
        let redis = RedisClient(configuration: configuration, logger: Logger(label: "dashboard-tests"))
        let sessions = RedisSessionStore(redis: redis, prefix: "test:signin:\(UUID().uuidString):")
        let router = Router(context: TestContext.self)
        router.middlewares.add(DashboardRoutesTests.TestIdentity())
        router.middlewares.add(DashboardSessionMiddleware<TestContext>(sessions: sessions, logger: Logger(label: "t")))
        let api = DashboardRoutesTests.FakeAPI()
        await api.set("GET /reviews", 200, "{\"items\":[],\"total\":0,\"breached\":0,\"limit\":50,\"offset\":0}")
        DashboardRoutes<TestContext>(
            backend: DashboardRoutesTests.Backend(),
            api: DashboardAPI { request, context in await api.answer(request, principal: context.principal?.name) },
            configuration: .init(
                csrfKey: CSRFProtection.key(secret: DashboardRoutesTests.secret),
                signIn: DashboardSignIn(authenticator: Keys(), sessions: sessions, lifetime: Self.lifetime)),
            templates: DashboardFixtures.templates, assets: DashboardFixtures.assets
        ).register(on: GuardedRouter(router))
        do {
            try await Application(router: router).test(.router) { client in try await body(client, sessions, redis) }
        } catch {
            await redis.shutdown()
            throw error
        }
        await redis.shutdown()
    }

    static let csrf = DashboardRoutesTests.csrf()

    static func headers(session: String? = nil, form: Bool = false) -> HTTPFields {
        var headers: HTTPFields = [:]
        if form { headers[.contentType] = "application/x-www-form-urlencoded" }
        var cookies = ["\(CSRFProtection.cookieName)=\(csrf.cookie)"]
        if let session { cookies.append("\(DashboardSignIn.cookieName)=\(session)") }
        headers[.cookie] = cookies.joined(separator: "; ")
        return headers
    }

    /// Signs in with `key`; the session id from the cookie (nil when refused) and the response status.
    private func signIn(_ client: any TestClientProtocol, key: String) async throws -> (HTTPResponse.Status, String?) {
        try await client.execute(
            uri: "/dashboard/sign-in", method: .post, headers: Self.headers(form: true),
            body: ByteBuffer(string: "csrf_token=\(Self.csrf.token)&api_key=\(key)")
        ) { response in
            let cookie = response.headers[values: .setCookie].first { $0.hasPrefix(DashboardSignIn.cookieName + "=") }
            if let cookie {
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
                #expect(cookie.contains("Path=/dashboard") && cookie.contains("Max-Age=3600"))
            }
            let id = cookie.map { String($0.dropFirst(DashboardSignIn.cookieName.count + 1).prefix { $0 != ";" }) }
            return (response.status, id)
        }
    }

    @Test func anAnalystSignsInWorksAndSignsOut() async throws {
        try await withApp { client, sessions, redis in
            try await client.execute(uri: "/dashboard/reviews", method: .get, headers: Self.headers()) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("href=\"/dashboard/sign-in\""))
            }
            let (refused, none) = try await signIn(client, key: "txad_wrong")
            #expect(refused == .unauthorized && none == nil)
            let (status, session) = try await signIn(client, key: "txad_analyst_key")
            #expect(status == .seeOther)
            let id = try #require(session)
            #expect(id.count == 64)
            guard case .seconds(let ttl) = try await redis.timeToLive(sessions.key(id)) else {
                Issue.record("the session does not expire")
                return
            }
            #expect((3500...3600).contains(ttl), "the session expires after its lifetime")
            try await client.execute(uri: "/dashboard/reviews", method: .get, headers: Self.headers(session: id)) {
                response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("erin <span class=\"role\">analyst</span>"))
                #expect(html.contains("href=\"/dashboard/sign-out\""))
            }
            try await client.execute(
                uri: "/dashboard/sign-out", method: .post, headers: Self.headers(session: id, form: true),
                body: ByteBuffer(string: "csrf_token=\(Self.csrf.token)")
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[values: .setCookie].contains { $0.hasPrefix("txad_session=;") })
            }
            #expect(try await sessions.session(id: id) == nil, "sign-out deletes the session on the server")
            try await client.execute(uri: "/dashboard/reviews", method: .get, headers: Self.headers(session: id)) {
                response in
                #expect(response.status == .unauthorized, "the old cookie no longer signs in")
            }
        }
    }

    @Test func aScorerSessionCannotOpenTheReviewQueue() async throws {
        try await withApp { client, _, _ in
            let (_, session) = try await signIn(client, key: "txad_scorer_key")
            let id = try #require(session)
            try await client.execute(uri: "/dashboard/reviews", method: .get, headers: Self.headers(session: id)) {
                response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("Your role (scorer) may not open this page"))
            }
            try await client.execute(uri: "/dashboard/predict", method: .get, headers: Self.headers(session: id)) {
                response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func anExpiredOrForgedSessionIsAnonymous() async throws {
        try await withApp { client, sessions, redis in
            let (_, session) = try await signIn(client, key: "txad_analyst_key")
            let id = try #require(session)
            // What Redis does when the TTL runs out.
            try await redis.delete(sessions.key(id))
            for cookie in [id, String(repeating: "f", count: 64), "not-a-session"] {
                try await client.execute(
                    uri: "/dashboard/alerts", method: .get, headers: Self.headers(session: cookie)
                ) { response in
                    #expect(response.status == .unauthorized, "\(cookie)")
                }
            }
        }
    }

    @Test func signInNeedsTheCSRFToken() async throws {
        try await withApp { client, _, _ in
            try await client.execute(
                uri: "/dashboard/sign-in", method: .post, headers: Self.headers(form: true),
                body: ByteBuffer(string: "api_key=txad_analyst_key")
            ) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[values: .setCookie].allSatisfy { !$0.hasPrefix("txad_session") })
            }
        }
    }
}
