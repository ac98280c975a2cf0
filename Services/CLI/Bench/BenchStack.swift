import Detection
import EmbeddedStores
import Foundation
import Logging
import Registry
import ServiceKit
import Stores
import Wire

/// A whole txad stack of its own for the lifecycle benchmarks: throwaway Redis and PostgreSQL, the alerts service
/// (which migrates the registry tables), `replicas` inference replicas in registry mode, preprocessing and a gateway
/// without authentication, all from the executables next to this `txad`, on free loopback ports.
///
/// ``start(model:replicas:workspace:)`` registers the bundle of `model` as champion (approved by a second
/// principal, `bench-checker`) and waits until every replica serves it.
final class BenchStack: Sendable {
    let redis: EmbeddedRedis
    let postgres: EmbeddedPostgres
    let registry: BundleRegistry
    let database: PostgresClient
    let gatewayURL: String
    /// `host:port` of every inference replica, in start order.
    let replicaAddresses: [String]
    private let services: [ServiceProcess]
    private let replicaRPC: [RPCClient]

    /// The inference client of each replica (one connection to that replica only).
    var replicas: [InferenceClient] { replicaRPC.map(InferenceClient.init(wrapping:)) }

    private init(
        redis: EmbeddedRedis, postgres: EmbeddedPostgres, database: PostgresClient, gatewayURL: String,
        replicaAddresses: [String], services: [ServiceProcess], replicaRPC: [RPCClient]
    ) {
        self.redis = redis
        self.postgres = postgres
        self.database = database
        self.registry = BundleRegistry(client: database)
        self.gatewayURL = gatewayURL
        self.replicaAddresses = replicaAddresses
        self.services = services
        self.replicaRPC = replicaRPC
    }

    /// Starts the stores and services and makes `model`'s bundle the champion.
    ///
    /// - Throws: `CLIError` naming the service that did not start (with its log tail), store and registry errors.
    static func start(model: BundleSource, replicas: Int, workspace: BenchWorkspace) async throws -> BenchStack {
        let logger = workspace.logger
        let redis = try await EmbeddedRedis.start(logger: logger)
        let postgres: EmbeddedPostgres
        do {
            postgres = try await EmbeddedPostgres.start(logger: logger)
        } catch {
            try? await redis.stop()
            throw error
        }
        var started: [ServiceProcess] = []
        var rpcs: [RPCClient] = []
        var database: PostgresClient?
        do {
            var environment = ProcessInfo.processInfo.environment
            environment["REDIS_URL"] = redis.url
            environment["DATABASE_URL"] = postgres.url
            environment["TXAD_MODEL_DIR"] = model.modelDirectory
            environment["TXAD_SPOOL_DIR"] = workspace.folder + "/spool"
            environment["TXAD_LOG_LEVEL"] = "warning"
            environment["TXAD_AUTH"] = "off"
            func ports() throws -> (Int, Int) { (try Loopback.freePort(), try Loopback.freePort()) }
            func launch(_ executable: String, _ name: String, _ arguments: [String]) throws -> ServiceProcess {
                let process = try ServiceProcess(
                    name: name, executable: workspace.bin + "/" + executable, arguments: arguments,
                    environment: environment, logPath: workspace.folder + "/\(name).log")
                started.append(process)
                return process
            }
            func ready(_ process: ServiceProcess, _ url: String) async throws {
                guard
                    await ReadinessProbe.waitUntilReady(url, timeout: .seconds(120), keepWaiting: { process.isRunning })
                else { throw CLIError("\(process.name) did not become ready:\n\(process.logTail())") }
            }
            let alerts = try ports()
            let alertsProcess = try launch(
                "txad-alerts", "alerts", ["--port", "\(alerts.0)", "--admin-port", "\(alerts.1)"])
            var inference: [(ServiceProcess, Int, Int)] = []
            for index in 0..<replicas {
                let p = try ports()
                let name = index == 0 ? "inference" : "inference-\(index + 1)"
                inference.append(
                    (try launch("txad-inference", name, ["--port", "\(p.0)", "--admin-port", "\(p.1)"]), p.0, p.1))
            }
            let pre = try ports()
            let preprocessing = try launch(
                "txad-preprocessing", "preprocessing", ["--port", "\(pre.0)", "--admin-port", "\(pre.1)"])
            let gatewayPort = try Loopback.freePort()
            let addresses = inference.map { "127.0.0.1:\($0.1)" }
            let gateway = try launch(
                "txad-gateway", "gateway",
                [
                    "--port", "\(gatewayPort)", "--preprocessing", "127.0.0.1:\(pre.0)",
                    "--inference", addresses.joined(separator: ","), "--alerts", "127.0.0.1:\(alerts.0)",
                ])
            try await ready(alertsProcess, "http://127.0.0.1:\(alerts.1)/health/ready")
            for (process, _, admin) in inference { try await ready(process, "http://127.0.0.1:\(admin)/health/ready") }
            try await ready(preprocessing, "http://127.0.0.1:\(pre.1)/health/ready")
            let gatewayURL = "http://127.0.0.1:\(gatewayPort)"
            try await ready(gateway, gatewayURL + "/health")
            let client = try PostgresClient(url: postgres.url, logger: logger)
            database = client
            try await waitForRegistryTables(client, alerts: alertsProcess)
            for address in inference {
                rpcs.append(
                    RPCClient(
                        configuration: .init(
                            targets: [.init(host: "127.0.0.1", port: address.1)], connectionsPerTarget: 1,
                            defaultDeadline: .seconds(10)),
                        logger: logger))
            }
            let stack = BenchStack(
                redis: redis, postgres: postgres, database: client, gatewayURL: gatewayURL,
                replicaAddresses: addresses, services: started, replicaRPC: rpcs)
            let champion = try await stack.register(model.directory)
            try await stack.registry.approve(champion, by: "bench-checker")
            _ = try await stack.registry.promote(champion, to: .champion, by: "bench")
            try await stack.waitUntilServing(timeout: .seconds(120)) { $0.version == champion }
            return stack
        } catch {
            for rpc in rpcs { await rpc.close() }
            await database?.shutdown()
            for process in started.reversed() { await process.stop(grace: .seconds(10)) }
            try? await postgres.stop()
            try? await redis.stop()
            throw error
        }
    }

    /// Registers the bundle directory `directory` as `bench` and returns its version.
    func register(_ directory: String) async throws -> String {
        try await registry.register(directory: directory, by: "bench").version
    }

    /// Waits until every replica's model information satisfies `condition`.
    ///
    /// - Throws: `CLIError` when `timeout` passes first (with what each replica last said).
    func waitUntilServing(
        timeout: Duration, poll: Duration = .milliseconds(2), _ condition: (ModelInfoResponse) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        var last: [String] = []
        while ContinuousClock.now < deadline {
            var all = true
            last = []
            for client in replicas {
                let info = try? await client.modelInfo()
                last.append(info.map { "\($0.version) (shadow \($0.shadowVersion))" } ?? "no answer")
                if let info, condition(info) { continue }
                all = false
                break
            }
            if all { return }
            try await Task.sleep(for: poll)
        }
        throw CLIError("the replicas did not switch within \(timeout); they serve \(last.joined(separator: ", "))")
    }

    /// Stops the services (SIGTERM, then SIGKILL after 10 s) and the stores.
    func stop() async {
        for rpc in replicaRPC { await rpc.close() }
        await database.shutdown()
        for process in services.reversed() { await process.stop(grace: .seconds(10)) }
        try? await postgres.stop()
        try? await redis.stop()
    }

    /// Waits until the alerts service has created the registry tables.
    private static func waitForRegistryTables(_ client: PostgresClient, alerts: ServiceProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            guard alerts.isRunning else { throw CLIError("txad-alerts stopped:\n\(alerts.logTail())") }
            let rows = try? await client.query("SELECT to_regclass('model_versions') IS NOT NULL AS ok")
            if (try? rows?.first?.bool("ok")) == true { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw CLIError("txad-alerts did not create the registry tables within 120 s:\n\(alerts.logTail())")
    }
}

/// A `--model` argument: a bundle directory, or a model directory whose `ACTIVE` bundle is meant.
struct BundleSource: Sendable {
    /// The bundle directory.
    let directory: String
    /// The folder holding it (the services' `TXAD_MODEL_DIR` fallback).
    let modelDirectory: String

    /// - Throws: `ValidationError` when `path` is neither a bundle nor a model directory with an active version.
    init(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path + "/manifest.json") {
            directory = path
            modelDirectory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        } else if let active = try? ModelRegistry(root: path).activeVersion() {
            directory = path + "/" + active
            modelDirectory = path
        } else {
            throw CLIError("--model \(path) is no bundle and has no ACTIVE version")
        }
    }

    /// A copy of this bundle under another version (same models, manifest renamed) in `folder`; returns its path.
    func copy(as version: String, into folder: String) throws -> String {
        let bundle = try ModelBundle.load(from: directory)
        var manifest = bundle.manifest
        manifest.version = version
        let target = folder + "/" + version
        try ModelBundle(manifest: manifest, isolationForest: bundle.isolationForest, autoencoder: bundle.autoencoder)
            .write(to: target)
        return target
    }
}
