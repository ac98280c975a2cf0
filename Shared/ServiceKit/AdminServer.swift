import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The admin HTTP endpoint of an internal service: `GET /metrics`, `GET /health/live`, `GET /health/ready`.
///
/// Liveness answers 200 while the process runs; readiness asks ``readiness`` and answers 200 or 503 with the
/// state of each dependency as JSON, so Kubernetes probes and `txad up` can wait for a service.
public struct AdminServer: Service {
    /// Where the admin server listens.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// One dependency's state in a readiness answer.
    public struct DependencyState: Sendable {
        public var name: String
        public var ready: Bool
        public var detail: String

        public init(name: String, ready: Bool, detail: String) {
            self.name = name
            self.ready = ready
            self.detail = detail
        }
    }

    private let app: Application<RouterResponder<BasicRequestContext>>

    /// - Parameter readiness: the states that decide `/health/ready` (ready when all are ready).
    public init(
        configuration: Configuration, service: String, metrics: ServiceMetrics, logger: Logger,
        readiness: @escaping @Sendable () async -> [DependencyState]
    ) {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        router.get("/health/live") { _, _ -> Response in
            Self.json(.ok, "{\"status\":\"live\",\"service\":\(JSONText.quoted(service))}")
        }
        router.get("/health/ready") { _, _ -> Response in
            let states = await readiness()
            let ready = states.allSatisfy(\.ready)
            let dependencies = states.map {
                "{\"name\":\(JSONText.quoted($0.name)),\"ready\":\($0.ready),"
                    + "\"detail\":\(JSONText.quoted($0.detail))}"
            }
            let body = "{\"status\":\"\(ready ? "ready" : "not_ready")\",\"service\":\(JSONText.quoted(service)),"
                + "\"dependencies\":[\(dependencies.joined(separator: ","))]}"
            return Self.json(ready ? .ok : .serviceUnavailable, body)
        }
        var adminLogger = logger
        adminLogger.logLevel = max(logger.logLevel, .notice)
        self.app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            logger: adminLogger)
    }

    public func run() async throws {
        try await app.run()
    }

    private static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
