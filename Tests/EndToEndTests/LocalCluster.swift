import EmbeddedStores
import Foundation
import Logging
import Stores
import TestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The four built executables running against stores of their own, for end-to-end tests.
///
/// Each cluster owns its Redis and PostgreSQL (tests stop and restart them) and a model directory with a small
/// trained bundle. Executables come from the build folder next to this test bundle (`TXAD_BIN_DIR` overrides).
final class LocalCluster: @unchecked Sendable {
    // @unchecked: mutable state (the process table) is only touched from the test that owns the cluster, one call
    // at a time; the class is shared only to be captured by async test helpers.
    let redis: EmbeddedRedis
    let postgres: EmbeddedPostgres
    let root: String
    let modelDirectory: String
    let gatewayPort: Int
    let ports: [String: (port: Int, admin: Int)]
    /// `TXAD_LOG_LEVEL` of every service.
    let logLevel: String
    /// Extra environment of every service (a routing file, secrets).
    let environment: [String: String]
    private var processes: [String: Process] = [:]
    /// Extra environment per service name (`alerts` → `TXAD_ROUTING_FILE`…), applied at each start.
    var serviceEnvironment: [String: [String: String]] = [:]

    static var binDirectory: String { Command.binDirectory }

    /// The inference processes: `inference`, then `inference-2`… (the gateway calls all of them).
    let inferenceNames: [String]

    init(
        modelDirectory: String, inferenceReplicas: Int = 1, logLevel: String = "warning",
        environment: [String: String] = [:]
    ) async throws {
        inferenceNames = ["inference"] + (1..<max(1, inferenceReplicas)).map { "inference-\($0 + 1)" }
        self.logLevel = logLevel
        self.environment = environment
        self.root = NSTemporaryDirectory() + "txad-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        self.redis = try await EmbeddedRedis.start()
        // A durable cluster: tests kill PostgreSQL, and a throwaway one (synchronous_commit off) may lose commits.
        self.postgres = try await EmbeddedPostgres.start(.init(dataDirectory: root + "/postgres"))
        self.modelDirectory = modelDirectory
        var taken = Set<Int>()
        func free() throws -> Int {
            while true {
                let port = try Loopback.freePort()
                if taken.insert(port).inserted { return port }
            }
        }
        gatewayPort = try free()
        var ports: [String: (Int, Int)] = [:]
        for name in ["preprocessing", "alerts"] + inferenceNames { ports[name] = (try free(), try free()) }
        self.ports = ports
    }

    var gatewayURL: String { "http://127.0.0.1:\(gatewayPort)" }

    /// A cluster with every service started, for `body`; stopped afterwards, whether `body` threw or not.
    static func withStarted(
        modelDirectory: String, inferenceReplicas: Int = 1, environment: [String: String] = [:],
        _ body: (LocalCluster) async throws -> Void
    ) async throws {
        let cluster = try await LocalCluster(
            modelDirectory: modelDirectory, inferenceReplicas: inferenceReplicas, environment: environment)
        do {
            try await cluster.start()
            try await body(cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    /// Starts every service and waits until all are ready.
    func start() async throws {
        for name in ["alerts"] + inferenceNames + ["preprocessing", "gateway"] { try startService(name) }
        for name in ["alerts", "preprocessing"] + inferenceNames {
            try await waitFor("http://127.0.0.1:\(ports[name]!.admin)/health/ready", service: name)
        }
        try await waitFor(gatewayURL + "/health", service: "gateway")
        try await waitForMigrations()
    }

    /// Waits until the alerts service has applied every migration: it answers ready while it migrates (records are
    /// spooled meanwhile), but tests that read the tables need them.
    func waitForMigrations(timeout: Duration = .seconds(60)) async throws {
        let url = "http://127.0.0.1:\(ports["alerts"]!.admin)/health/ready"
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let (data, _) = try? await HTTP.get(url), String(decoding: data, as: UTF8.self).contains("schema ready") {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ClusterError("the alerts service did not finish its migrations within \(timeout)")
    }

    /// Starts a service; `instance` and `port` start another gateway replica (logs under the instance name).
    func startService(_ name: String, instance: String? = nil, port: Int? = nil) throws {
        var arguments: [String]
        if name == "gateway" {
            arguments = [
                "--port", "\(port ?? gatewayPort)", "--preprocessing", "127.0.0.1:\(ports["preprocessing"]!.port)",
                "--inference", inferenceNames.map { "127.0.0.1:\(ports[$0]!.port)" }.joined(separator: ","),
                "--alerts", "127.0.0.1:\(ports["alerts"]!.port)",
                "--request-deadline-ms", "2000",
            ]
        } else {
            arguments = ["--port", "\(ports[name]!.port)", "--admin-port", "\(ports[name]!.admin)"]
        }
        let process = Process()
        let executable = name.split(separator: "-").first.map(String.init) ?? name  // inference-2 → txad-inference
        process.executableURL = URL(fileURLWithPath: Self.binDirectory + "/txad-" + executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["REDIS_URL"] = redis.url
        env["DATABASE_URL"] = postgres.url
        env["TXAD_MODEL_DIR"] = modelDirectory
        env["TXAD_SPOOL_DIR"] = root + "/spool-" + (instance ?? name)
        env["TXAD_LOG_LEVEL"] = logLevel
        env.merge(environment) { _, given in given }
        // These tests are about scoring and alerts; authentication and rate limits have their own suites
        // (AuthTests, GatewayTests.RouteAccessTests).
        env["TXAD_AUTH"] = env["TXAD_AUTH"] ?? "off"
        env.merge(serviceEnvironment[name] ?? [:]) { _, extra in extra }
        process.environment = env
        let logPath = root + "/logs/\(instance ?? name).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        log?.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        processes[instance ?? name] = process
    }

    /// Asks a service to stop (SIGTERM), as Kubernetes does; returns at once.
    func terminate(_ name: String) {
        guard let process = processes[name], process.isRunning else { return }
        process.terminate()
    }

    /// Whether a service's process is still running.
    func isRunning(_ name: String) -> Bool { processes[name]?.isRunning ?? false }

    /// Kills a service at once (SIGKILL), as a crash would.
    func kill(_ name: String) async {
        guard let process = processes[name], process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = try? await process.exited(timeout: .seconds(60))
    }

    func waitFor(_ url: String, service: String, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let (_, status) = try? await HTTP.get(url), status == 200 { return }
            if let process = processes[service], !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let log = (try? String(contentsOfFile: root + "/logs/\(service).log", encoding: .utf8)) ?? ""
        throw ClusterError("\(service) not ready at \(url); log:\n\(log.suffix(3000))")
    }

    /// Waits until the alerts service has migrated `db` up to the review tables (migration 20).
    static func waitForReviewSchema(_ db: PostgresClient) async throws {
        for _ in 0..<300 {
            if let rows = try? await db.query("SELECT count(*) AS n FROM schema_migrations WHERE version = 20"),
                try rows.first?.int64("n") == 1
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ClusterError("the alerts service did not migrate the schema")
    }

    /// Stops every service gracefully (SIGTERM) and waits for them; the stores keep running.
    func stopServices() async {
        for process in processes.values where process.isRunning {
            process.terminate()
        }
        for process in processes.values {
            if (try? await process.exited(timeout: .seconds(60))) == nil {
                Foundation.kill(process.processIdentifier, SIGKILL)
                _ = try? await process.exited(timeout: .seconds(10))
            }
        }
    }

    /// Everything the services wrote to standard output and error, by service.
    func logs() -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: ["preprocessing", "inference", "alerts", "gateway"].map {
                ($0, (try? String(contentsOfFile: root + "/logs/\($0).log", encoding: .utf8)) ?? "")
            })
    }

    func stop() async {
        await stopServices()
        try? await redis.stop()
        try? await postgres.stop()
        try? FileManager.default.removeItem(atPath: root)
    }
}

struct ClusterError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Minimal HTTP calls for tests.
enum HTTP {
    static func get(_ url: String) async throws -> (Data, Int) {
        try await send(URLRequest(url: URL(string: url)!))
    }

    static func post(
        _ url: String, body: Data, contentType: String = "application/json", headers: [String: String] = [:]
    ) async throws -> (Data, Int) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try await send(request)
    }

    static func send(_ request: URLRequest) async throws -> (Data, Int) {
        var request = request
        request.timeoutInterval = 30
        let (data, response) = try await URLSession.shared.data(for: request)
        return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
    }

    static func json(_ data: Data) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ClusterError("not a JSON object: \(String(decoding: data, as: UTF8.self))")
        }
        return object
    }
}
