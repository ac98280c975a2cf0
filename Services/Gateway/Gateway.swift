import Auth
import Registry
import Dashboard
import Foundation
import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle
import Stores
import Wire

/// The gateway process: REST on Hummingbird, fanning out to the internal services over frames.
public struct Gateway: Sendable {
    private let configuration: GatewayConfiguration
    private let logger: Logger
    private let metrics: ServiceMetrics

    public init(configuration: GatewayConfiguration, metrics: ServiceMetrics, logger: Logger) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    /// Runs until SIGTERM/SIGINT, then stops accepting, finishes requests in flight and closes its clients.
    public func run() async throws {
        let c = configuration
        func client(_ targets: [HostAndPort], connections: Int? = nil) -> RPCClient {
            RPCClient(
                configuration: .init(
                    targets: targets.map { .init(host: $0.host, port: $0.port) },
                    connectionsPerTarget: connections ?? c.connectionsPerTarget, defaultDeadline: c.requestDeadline,
                    tls: c.internalTLS),
                logger: logger)
        }
        let preprocessingRPC = client(c.preprocessing)
        let inferenceRPC = client(c.inference)
        let alertsRPC = client(c.alerts)
        // One connection to each inference replica on its own, for `GET /models/info`'s per-replica answer.
        let replicaRPC = c.inference.map { (address: $0.description, rpc: client([$0], connections: 1)) }
        let redis = try c.redisURL.map { try RedisClient(url: $0, logger: logger) }
        try FileManager.default.createDirectory(atPath: c.spoolDirectory, withIntermediateDirectories: true)
        let spool = try DurableSpool(path: c.spoolDirectory + "/gateway-alerts.spool", logger: logger)
        let alerts = AlertsClient(wrapping: alertsRPC)
        let pipeline = PredictionPipeline(
            preprocessing: PreprocessingClient(wrapping: preprocessingRPC), inference: InferenceClient(wrapping: inferenceRPC),
            alerts: alerts,
            cache: PredictionCache(redis: redis, ttl: c.cacheTTL, claimTTL: c.batchDeadline + .seconds(10), logger: logger),
            spool: spool, chunkSize: c.chunkSize, logger: logger)
        let drain = ShutdownDrain(delay: c.shutdownDelay)
        var routes = GatewayRoutes(
            configuration: c, pipeline: pipeline,
            coalescer: PredictionCoalescer(
                pipeline: pipeline, maximumInFlight: c.coalescedGroupsInFlight, maximumGroup: c.chunkSize),
            health: .init(
                preprocessing: HealthClient(wrapping: preprocessingRPC), inferenceHealth: HealthClient(wrapping: inferenceRPC),
                alerts: HealthClient(wrapping: alertsRPC), inference: InferenceClient(wrapping: inferenceRPC),
                inferenceReplicas: replicaRPC.map {
                    .init(address: $0.address, client: InferenceClient(wrapping: $0.rpc))
                }),
            reviews: ReviewsClient(wrapping: alertsRPC), metrics: metrics, logger: logger)
        routes.drain = drain
        // One pool for the model registry and the API keys (same DATABASE_URL): registry calls are rare, key checks
        // are cached in process (a lookup per new key, a refresh every few seconds).
        let database = try c.databaseURL.map {
            (url: $0, client: try PostgresClient(configuration: .init(url: $0, poolSize: 4), logger: logger))
        }
        func close(_ access: GatewayAccess?) async {
            await shutdown(preprocessingRPC, inferenceRPC, alertsRPC, redis)
            for replica in replicaRPC { await replica.rpc.close() }
            await access?.postgres?.shutdown()
            await database?.client.shutdown()
        }
        let table: GatewayRouteTable
        let access: GatewayAccess
        do {
            access = try await GatewayAccess.make(
                configuration: c.access, redis: redis, database: database, logger: logger)
            table = try GatewayRouteTable(
                api: routes, alerts: alertsRPC, configuration: c,
                registry: database.map { BundleRegistry(client: $0.client) },
                signIn: GatewayDashboardKeys.signIn(keys: access.keys, redis: redis, logger: logger), redis: redis)
        } catch {
            await close(nil)
            throw error
        }
        let router = access.router(routes: table).router
        var httpLogger = logger
        httpLogger.logLevel = max(logger.logLevel, .notice)
        let app: Application<RouterResponder<GatewayRequestContext>>
        do {
            app = Application(
                router: router, server: try GatewayHTTPS.server(c.https),
                configuration: .init(address: .hostname(c.host, port: c.port), serverName: "txad-gateway"),
                logger: httpLogger)
        } catch {
            await close(access)
            throw error
        }
        let replayer = GatewaySpoolReplayer(spool: spool, alerts: alerts, interval: .seconds(1), logger: logger)
        do {
            try await ServiceRunner.run(
                service: "txad-gateway", configuration: c.printable + c.access.printable,
                services: [replayer] + access.services + [app, drain], logger: logger)
        } catch {
            await close(access)
            throw error
        }
        await close(access)
    }

    private func shutdown(_ a: RPCClient, _ b: RPCClient, _ c: RPCClient, _ redis: RedisClient?) async {
        await a.close()
        await b.close()
        await c.close()
        await redis?.shutdown()
    }
}
