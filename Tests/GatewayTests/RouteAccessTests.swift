import Auth
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import ServiceKit
import Stores
import Testing
import Wire

@testable import GatewayService

/// The gateway's real router (every route it registers, the real middleware), with RPC clients pointed at ports
/// nobody listens on and short deadlines: enough to prove who may reach which handler.
struct GatewayHarness {
    static let secret = "route-test-secret-0123456789abcdef0123"
    let guarded: GuardedRouter<GatewayRequestContext>
    let clients: [RPCClient]

    static func make(access: AccessConfiguration) async throws -> GatewayHarness {
        var logger = Logger(label: "txad.gateway-tests")
        logger.logLevel = .critical
        let spoolDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("gw-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: spoolDirectory, withIntermediateDirectories: true)
        var configuration = GatewayConfiguration(
            preprocessing: [HostAndPort(host: "127.0.0.1", port: 1)], inference: [HostAndPort(host: "127.0.0.1", port: 1)],
            alerts: [HostAndPort(host: "127.0.0.1", port: 1)], redisURL: nil, requestDeadline: .milliseconds(200),
            batchDeadline: .milliseconds(200), spoolDirectory: spoolDirectory)
        configuration.access = access
        func client() -> RPCClient {
            RPCClient(
                configuration: .init(targets: [.init(host: "127.0.0.1", port: 1)], defaultDeadline: .milliseconds(200)),
                logger: logger)
        }
        let (pre, inf, ale) = (client(), client(), client())
        let pipeline = PredictionPipeline(
            preprocessing: PreprocessingClient(wrapping: pre), inference: InferenceClient(wrapping: inf),
            alerts: AlertsClient(wrapping: ale),
            cache: PredictionCache(redis: nil, ttl: .seconds(60), claimTTL: .seconds(10), logger: logger),
            spool: try DurableSpool(path: spoolDirectory + "/gateway.spool", logger: logger), chunkSize: 500,
            logger: logger)
        let routes = GatewayRoutes(
            configuration: configuration, pipeline: pipeline,
            coalescer: PredictionCoalescer(pipeline: pipeline, maximumInFlight: 2, maximumGroup: 500),
            health: .init(
                preprocessing: HealthClient(wrapping: pre), inferenceHealth: HealthClient(wrapping: inf),
                alerts: HealthClient(wrapping: ale), inference: InferenceClient(wrapping: inf)),
            reviews: ReviewsClient(wrapping: ale), metrics: ServiceMetrics(), logger: logger)
        let table = try GatewayRouteTable(api: routes, alerts: ale, configuration: configuration, registry: nil)
        let access = try await GatewayAccess.make(configuration: access, redis: nil, logger: logger)
        return GatewayHarness(guarded: access.router(routes: table), clients: [pre, inf, ale])
    }

    static var jwtAccess: AccessConfiguration {
        AccessConfiguration(
            jwt: .init(hmacSecret: secret, issuer: "route-test", audience: "txad"), rateLimits: nil)
    }

    static func token(_ role: Role) async throws -> String {
        struct Claims: JWTPayload {
            var sub: String
            var iss = "route-test"
            var aud = "txad"
            var exp = Date().timeIntervalSince1970 + 600
            var role: String
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        return try await JWTKeyCollection().add(hmac: HMACKey(from: Array(secret.utf8)), digestAlgorithm: .sha256)
            .sign(Claims(sub: "route-test-\(role.rawValue)", role: role.rawValue))
    }

    func close() async {
        for client in clients { await client.close() }
    }
}

@Suite("Every gateway route declares its access, and the declaration is enforced")
struct RouteAccessTests {
    /// A concrete path for a pattern: every `{name}` or `:name` segment becomes `1`.
    static func concrete(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") || segment.hasPrefix(":") ? "1" : String(segment)
        }.joined(separator: "/")
    }

    @Test("the router's table and GuardedRouter.declared are the same set of routes")
    func everyRouteDeclared() async throws {
        let harness = try await GatewayHarness.make(access: GatewayHarness.jwtAccess)
        let registered = Set(harness.guarded.router.routes.map { "\($0.method) \($0.path)" })
        let declared = Set(harness.guarded.declared.map { "\($0.method) \(RouterPath($0.path))" })
        #expect(!registered.isEmpty)
        #expect(registered == declared)
        #expect(harness.guarded.declared.count == declared.count, "a route is declared twice")
        let open = Set(harness.guarded.declared.filter { $0.access == .open }.map(\.path))
        #expect(
            open.isSubset(of: ["/", "/health", "/metrics", "/openapi.json", "/dashboard/assets/{file}"]),
            "unexpected open routes: \(open)")
        await harness.close()
    }

    @Test("anonymous → 401, too-low role → 403, sufficient role → the handler, for every role on every route")
    func everyRoleOnEveryRoute() async throws {
        let harness = try await GatewayHarness.make(access: GatewayHarness.jwtAccess)
        var issued: [Role: String] = [:]
        for role in Role.allCases { issued[role] = try await GatewayHarness.token(role) }
        let tokens = issued
        let declarations = harness.guarded.declared
        try await Application(router: harness.guarded.router).test(.router) { client in
            for route in declarations {
                let uri = Self.concrete(route.path)
                try await client.execute(uri: uri, method: route.method) { response in
                    if route.access == .open {
                        #expect(![401, 403].contains(response.status.code), "\(route) anonymous")
                    } else {
                        #expect(response.status == .unauthorized, "\(route) anonymous")
                    }
                }
                for role in Role.allCases {
                    let headers: HTTPFields = [.authorization: "Bearer \(tokens[role]!)"]
                    try await client.execute(uri: uri, method: route.method, headers: headers) { response in
                        switch route.access {
                        case .open:
                            #expect(![401, 403].contains(response.status.code), "\(route) as \(role)")
                        case .role(let required) where role.includes(required):
                            // The handler may refuse on its own (a dashboard form without its CSRF token is 403),
                            // but never with the access layer's refusal.
                            let body = String(buffer: response.body)
                            #expect(response.status != .unauthorized, "\(route) as \(role)")
                            #expect(
                                response.status != .forbidden || !body.contains("may not do this"),
                                "\(route) as \(role): \(body)")
                        case .role:
                            #expect(response.status == .forbidden, "\(route) as \(role)")
                        }
                    }
                }
            }
        }
        await harness.close()
    }

    @Test("with authentication off every caller is the development admin")
    func authenticationOff() async throws {
        let harness = try await GatewayHarness.make(access: .disabled)
        try await Application(router: harness.guarded.router).test(.router) { client in
            try await client.execute(uri: "/stats", method: .get) { #expect($0.status != .unauthorized) }
        }
        await harness.close()
    }

    @Test("/metrics can be restricted to allow-listed networks")
    func metricsAllowList() async throws {
        var access = GatewayHarness.jwtAccess
        access.metricsAllowed = [try #require(IPNetwork("10.0.0.0/8"))]
        let harness = try await GatewayHarness.make(access: access)
        try await Application(router: harness.guarded.router).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .forbidden) }
        }
        await harness.close()
    }
}

@Suite("Methods not declared for a path")
struct MethodNotAllowedTests {
    @Test("a declared path with another method → 405 with Allow; an unknown path → 404")
    func methodNotAllowed() async throws {
        let harness = try await GatewayHarness.make(access: GatewayHarness.jwtAccess)
        try await Application(router: harness.guarded.router).test(.router) { client in
            try await client.execute(uri: "/predict", method: .get) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/health", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
            }
            try await client.execute(uri: "/no-such-path", method: .get) { #expect($0.status == .notFound) }
        }
        await harness.close()
    }
}
