import Auth
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import Dashboard

/// The dashboard's routes in Hummingbird's in-process test mode over a recording stand-in for the REST API: what
/// the review forms send (path, `Idempotency-Key`, JSON), CSRF refusals, HTML 401/403 pages, and CSRF tokens
/// accepted by a second instance configured with the same secret.
@Suite struct DashboardRoutesTests {
    static let secret = "3f9a1c0b7d2e4f6a8b0c1d2e3f4a5b6c7d8e9f00"

    /// The requests the stand-in API received and its canned answers.
    actor FakeAPI {
        struct Call: Sendable {
            var method: HTTPRequest.Method
            var path: String
            var idempotencyKey: String?
            var body: String
            var principal: String?
        }

        private(set) var calls: [Call] = []
        var answers: [String: (Int, String)] = [:]

        func answer(_ request: Request, principal: String?) async -> Response {
            var request = request
            let body = (try? await request.collectBody(upTo: 1 << 20)).map { String(buffer: $0) } ?? ""
            let path = request.uri.string
            calls.append(
                Call(
                    method: request.method, path: path, idempotencyKey: request.headers[.idempotencyKey], body: body,
                    principal: principal))
            let key = "\(request.method) \(request.uri.path)"
            let (status, json) = answers[key] ?? (404, "{\"title\":\"Not found\",\"status\":404,\"detail\":\"none\"}")
            return Response(
                status: .init(code: status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: json)))
        }

        func set(_ key: String, _ status: Int, _ json: String) { answers[key] = (status, json) }
    }

    struct Backend: DashboardBackend {
        var limits: DashboardLimits { DashboardLimits(maximumBatchItems: 10, maximumBatchBytes: 1024) }
        func stats(requestID: String) async -> DashboardReply { ReviewFixtures.reply(503, "{}") }
        func modelInfo(requestID: String) async -> DashboardReply { ReviewFixtures.reply(503, "{}") }
        func predict(json: [UInt8], requestID: String) async -> DashboardReply { ReviewFixtures.reply(503, "{}") }
        func predictBatch(csv: [UInt8], requestID: String) async -> DashboardReply { ReviewFixtures.reply(503, "{}") }
    }

    /// Identifies the caller from `X-Test-Principal: name/role` (absent: anonymous).
    struct TestIdentity: RouterMiddleware {
        typealias Context = TestContext
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
            async throws -> Response
        {
            var context = context
            if let value = request.headers[HTTPField.Name("X-Test-Principal")!] {
                let parts = value.split(separator: "/")
                context.principal = Principal(
                    name: String(parts[0]), role: Role(rawValue: String(parts[1])) ?? .scorer, method: .apiKey)
            }
            return try await next(request, context)
        }
    }

    static func application(_ api: FakeAPI, secret: String = secret) -> some ApplicationProtocol {
        let router = Router(context: TestContext.self)
        router.middlewares.add(TestIdentity())
        let routes = DashboardRoutes<TestContext>(
            backend: Backend(),
            api: DashboardAPI { request, context in await api.answer(request, principal: context.principal?.name) },
            configuration: .init(csrfKey: CSRFProtection.key(secret: secret)), templates: DashboardFixtures.templates,
            assets: DashboardFixtures.assets)
        routes.register(on: GuardedRouter(router))
        return Application(router: router)
    }

    static func headers(_ principal: String = "erin/analyst", form: Bool = false, cookie: String? = nil) -> HTTPFields {
        var headers: HTTPFields = [HTTPField.Name("X-Test-Principal")!: principal]
        if form { headers[.contentType] = "application/x-www-form-urlencoded" }
        if let cookie { headers[.cookie] = "\(CSRFProtection.cookieName)=\(cookie)" }
        return headers
    }

    /// A token and its signed cookie, as a browser holds them after opening a page.
    static func csrf(secret: String = secret) -> (token: String, cookie: String) {
        let protection = CSRFProtection(key: CSRFProtection.key(secret: secret))
        let token = protection.newToken()
        return (token, protection.cookieValue(token: token))
    }

    @Test func decisionFormSendsTheAPIsRequestAndRedirects() async throws {
        let api = FakeAPI()
        await api.set(
            "POST /reviews/7/decision", 200, ReviewFixtures.alert(status: "confirmed_fraud", decidedBy: "erin"))
        let (token, cookie) = Self.csrf()
        try await Self.application(api).test(.router) { client in
            let body = "csrf_token=\(token)&idempotency_key=dash-key-1&decision=fraud&note=stolen+card%21&then=stay"
            try await client.execute(
                uri: "/dashboard/alerts/7/decision", method: .post, headers: Self.headers(form: true, cookie: cookie),
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/dashboard/alerts/7?done=decided")
            }
        }
        let call = try #require(await api.calls.last)
        #expect(call.method == .post && call.path == "/reviews/7/decision")
        #expect(call.idempotencyKey == "dash-key-1" && call.principal == "erin")
        #expect(call.body == "{\"override\":false,\"decision\":\"fraud\",\"note\":\"stolen card!\"}")
    }

    @Test func refusedDecisionShowsTheAPIsProblemAtTheForm() async throws {
        let api = FakeAPI()
        await api.set("POST /reviews/7/decision", 422, ReviewFixtures.invalid("decision", "is required"))
        await api.set("GET /alerts/7", 200, ReviewFixtures.detail())
        let (token, cookie) = Self.csrf()
        try await Self.application(api).test(.router) { client in
            try await client.execute(
                uri: "/dashboard/alerts/7/decision", method: .post, headers: Self.headers(form: true, cookie: cookie),
                body: ByteBuffer(string: "csrf_token=\(token)&idempotency_key=k&note=why")
            ) { response in
                #expect(response.status == .unprocessableContent)
                let html = String(buffer: response.body)
                #expect(html.contains("data-field-error=\"decision\">decision is required"))
                #expect(html.contains(">why</textarea>"))
            }
        }
    }

    @Test func postsWithoutTheTokenAreRefusedBeforeTheAPI() async throws {
        let api = FakeAPI()
        let (_, cookie) = Self.csrf()
        try await Self.application(api).test(.router) { client in
            for uri in [
                "/dashboard/alerts/7/decision", "/dashboard/alerts/7/claim", "/dashboard/reviews/next",
                "/dashboard/reviews/decisions",
            ] {
                try await client.execute(
                    uri: uri, method: .post, headers: Self.headers(form: true, cookie: cookie),
                    body: ByteBuffer(string: "csrf_token=forged&decision=fraud&alert_id=7")
                ) { response in
                    #expect(response.status == .forbidden, "\(uri)")
                    #expect(String(buffer: response.body).contains("CSRF token"), "\(uri)")
                }
            }
        }
        #expect(await api.calls.isEmpty)
    }

    @Test func aSecondReplicaWithTheSameSecretAcceptsTheForm() async throws {
        let api = FakeAPI()
        await api.set("POST /reviews/7/claim", 200, ReviewFixtures.alert(claimedBy: "erin"))
        let fromReplicaA = Self.csrf()
        let fromOtherSecret = Self.csrf(secret: "another-secret-0123456789abcdefghijklmnop")
        try await Self.application(api).test(.router) { client in
            for (pair, expected) in [(fromReplicaA, HTTPResponse.Status.seeOther), (fromOtherSecret, .forbidden)] {
                try await client.execute(
                    uri: "/dashboard/alerts/7/claim", method: .post,
                    headers: Self.headers(form: true, cookie: pair.cookie),
                    body: ByteBuffer(string: "csrf_token=\(pair.token)")
                ) { response in
                    #expect(response.status == expected)
                }
            }
        }
        #expect(await api.calls.count == 1)
    }

    @Test func dashboardRefusalsAreHTMLPages() async throws {
        let api = FakeAPI()
        try await Self.application(api).test(.router) { client in
            try await client.execute(uri: "/dashboard/reviews", method: .get, headers: Self.headers("sam/scorer")) {
                response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(String(buffer: response.body).contains("Your role (scorer) may not open this page"))
            }
            try await client.execute(uri: "/dashboard/alerts/7", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.wwwAuthenticate] != nil)
                #expect(response.headers[.contentSecurityPolicy] != nil)
            }
        }
        #expect(await api.calls.isEmpty)
    }

    @Test func explorerRefusesBadQueryValuesWith422() async throws {
        try await Self.application(FakeAPI()).test(.router) { client in
            // A negative seed (found by schemathesis: it was a form message with 200).
            try await client.execute(
                uri: "/dashboard/explorer?size=100&seed=-38452762&anomaly_rate=0.01", method: .get, headers: Self.headers()
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(String(buffer: response.body).contains("seed must be a whole number"))
            }
            try await client.execute(uri: "/dashboard/explorer", method: .get, headers: Self.headers()) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func queueAndLogSendTheirFiltersToTheAPI() async throws {
        let api = FakeAPI()
        await api.set(
            "GET /reviews", 200,
            "{\"items\":[\(ReviewFixtures.alert())],\"total\":1,\"breached\":0,\"limit\":50,\"offset\":0}")
        await api.set("GET /alerts", 422, ReviewFixtures.invalid("risk_level", "must be low, medium, high or critical"))
        try await Self.application(api).test(.router) { client in
            try await client.execute(uri: "/dashboard/reviews?min_risk=high", method: .get, headers: Self.headers()) {
                response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("href=\"/dashboard/alerts/7\""))
            }
            try await client.execute(
                uri: "/dashboard/alerts?risk_level=severe&since=2026-12-03T09:00", method: .get, headers: Self.headers()
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(String(buffer: response.body).contains("risk_level must be low, medium, high or critical"))
            }
        }
        let paths = await api.calls.map(\.path)
        #expect(
            paths == [
                "/reviews?min_risk=high&limit=50", "/alerts?risk_level=severe&since=2026-12-03T09%3A00%3A00Z&limit=50",
            ])
    }

    @Test func alertIDsOtherThanNumbersNeverReachTheAPI() async throws {
        let api = FakeAPI()
        try await Self.application(api).test(.router) { client in
            for id in ["0", "abc", "7%2F..%2Fmodels", "-1"] {
                try await client.execute(uri: "/dashboard/alerts/\(id)", method: .get, headers: Self.headers()) {
                    response in
                    #expect(response.status == .notFound, "\(id)")
                }
            }
        }
        #expect(await api.calls.isEmpty)
    }

    @Test func claimNextGoesToTheClaimedAlertOrBackToTheQueue() async throws {
        let api = FakeAPI()
        await api.set("POST /reviews/next", 200, ReviewFixtures.alert(id: "12", claimedBy: "erin"))
        let (token, cookie) = Self.csrf()
        try await Self.application(api).test(.router) { client in
            try await client.execute(
                uri: "/dashboard/reviews/next", method: .post, headers: Self.headers(form: true, cookie: cookie),
                body: ByteBuffer(string: "csrf_token=\(token)&min_risk=high")
            ) { response in
                #expect(response.headers[.location] == "/dashboard/alerts/12?done=next")
            }
        }
        #expect(await api.calls.first?.path == "/reviews/next?min_risk=high")
    }

    @Test func secretsAreValidated() {
        #expect(CSRFProtection.problem(secret: Self.secret) == nil)
        #expect(CSRFProtection.problem(secret: "short")?.contains("at least 32") == true)
        #expect(CSRFProtection.problem(secret: String(repeating: "ab", count: 20))?.contains("repetitive") == true)
        #expect(CSRFProtection.problem(secret: String(repeating: "a b", count: 20)) != nil)
    }
}
