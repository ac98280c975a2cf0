import ArgumentParser
import EmbeddedStores
import Foundation
import Logging

/// `txad up`: the whole local cluster in one command.
///
/// Starts Redis and PostgreSQL as local processes with their data under the state folder (unless `REDIS_URL` /
/// `DATABASE_URL` are set), trains a default model on generated data the first time, starts the four services,
/// waits until all are ready, prints the URLs and a curl example, and stops everything cleanly on Ctrl-C.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Run the local cluster: Redis, PostgreSQL, a default model and all four services.")

    @Option(help: "Gateway HTTP port.")
    var gatewayPort = 8080

    @Option(help: "Folder for the cluster's data, logs and spools (kept across runs).")
    var stateDir = ".txad"

    @Option(help: "Model directory (default: <state-dir>/models).")
    var modelDir: String?

    @Option(help: "Rows of generated data to train the default model on, the first time.")
    var trainRows = 200_000

    @Option(help: "First port of the internal services (preprocessing, inference, alerts = base, +1, +2); admin ports are base+2100….")
    var basePort = 7001

    @Option(help: "Routing file for alert notifications (YAML; see compose/routing.example.yaml). Default: review queue only.")
    var routingFile: String?

    @Flag(
        help: """
            TLS everywhere: a local CA in <state-dir>/tls issues the certificates; the gateway serves HTTPS (HTTP/1.1 \
            and HTTP/2) and the services talk mutual TLS. Clients trust <state-dir>/tls/ca.pem.
            """)
    var tls = false

    mutating func validate() throws {
        guard (1...65_535).contains(gatewayPort) else { throw ValidationError("--gateway-port must be 1…65535") }
        guard (1...63_000).contains(basePort) else { throw ValidationError("--base-port must be 1…63000") }
        guard trainRows >= 1000 else { throw ValidationError("--train-rows must be at least 1000") }
    }

    func run() async throws {
        var logger = Logger(label: "txad-up")
        logger.logLevel = .warning
        let state = URL(fileURLWithPath: stateDir).standardizedFileURL.path
        let models = modelDir.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? state + "/models"
        for folder in [state, state + "/logs", state + "/spool", models] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let environment = ProcessInfo.processInfo.environment
        say("txad up: state in \(state)")

        var redis: EmbeddedRedis?
        var postgres: EmbeddedPostgres?
        let redisURL: String
        let databaseURL: String
        if let url = environment["REDIS_URL"], !url.isEmpty {
            redisURL = url
            say("  Redis: using REDIS_URL")
        } else {
            let started = try await EmbeddedRedis.start(.init(dataDirectory: state + "/redis"), logger: logger)
            redis = started
            redisURL = started.url
            say("  Redis: started on port \(started.port) (data in \(state)/redis)")
        }
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            databaseURL = url
            say("  PostgreSQL: using DATABASE_URL")
        } else {
            let started = try await EmbeddedPostgres.start(.init(dataDirectory: state + "/postgres"), logger: logger)
            postgres = started
            databaseURL = started.url
            say("  PostgreSQL: started on port \(started.port) (data in \(started.dataDirectory))")
            if started.isRelocated {
                say(
                    "    (\(started.requestedDirectory) is in a folder the 'postgres' system user cannot enter, "
                        + "so its data lives in \(started.dataDirectory); see RELOCATED there)")
            }
        }

        let supervisor: ServiceSupervisor
        do {
            try await DefaultModel.ensureActiveModel(in: models, workDirectory: state, rows: trainRows)
            supervisor = ServiceSupervisor(
                try serviceSpecifications(
                    state: state, models: models, redisURL: redisURL, databaseURL: databaseURL, environment: environment),
                say: { say($0) })
        } catch {
            say("txad up: \(error)")
            await stopStores(redis: redis, postgres: postgres)
            throw ExitCode.failure
        }
        do {
            try await supervisor.startAll(timeout: .seconds(60))
        } catch {
            say("txad up: \(error)")
            await supervisor.stopAll(grace: .seconds(15))
            await stopStores(redis: redis, postgres: postgres)
            throw ExitCode.failure
        }
        let authOff = ["off", "0", "false", "no"].contains(environment["TXAD_AUTH"]?.lowercased() ?? "")
        let newKey: String?
        do {
            newKey = authOff ? nil : try await AdminKey.ensure(state: state, databaseURL: databaseURL)
        } catch {
            say("txad up: \(error)")
            await supervisor.stopAll(grace: .seconds(15))
            await stopStores(redis: redis, postgres: postgres)
            throw ExitCode.failure
        }
        printWelcome(authOff: authOff, newKey: newKey)
        // Services that exit are restarted until Ctrl-C (or SIGTERM); then everything stops, the gateway first.
        let watcher = Task { await supervisor.supervise() }
        let signal = await SignalWaiter.waitForTermination { false }
        watcher.cancel()
        await watcher.value
        say("\ntxad up: \(signal ?? "stopping"), stopping…")
        await supervisor.stopAll(grace: .seconds(15))
        await stopStores(redis: redis, postgres: postgres)
        let restarts = await supervisor.restarts.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        if !restarts.isEmpty {
            say("txad up: restarts — " + restarts.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        say("txad up: stopped.")
    }

    private func serviceSpecifications(
        state: String, models: String, redisURL: String, databaseURL: String, environment: [String: String]
    ) throws -> [ServiceSupervisor.Specification] {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        var env = environment
        env["REDIS_URL"] = redisURL
        env["DATABASE_URL"] = databaseURL
        env["TXAD_MODEL_DIR"] = models
        env["TXAD_SPOOL_DIR"] = state + "/spool"
        if let routingFile { env["TXAD_ROUTING_FILE"] = URL(fileURLWithPath: routingFile).standardizedFileURL.path }
        var gatewayEnvironment: [String: String] = [:]
        let scheme: String
        if tls {
            let certificates = try LocalTLS.make(state: state)
            env.merge(certificates.internalEnvironment) { _, new in new }
            gatewayEnvironment = certificates.gatewayEnvironment
            try ReadinessProbe.trust(caFile: certificates.caFile)
            scheme = "https"
        } else {
            scheme = "http"
        }
        let (pre, inf, ale) = (basePort, basePort + 1, basePort + 2)
        let specs: [(String, [String], String)] = [
            ("txad-alerts", ["--port", "\(ale)", "--admin-port", "\(ale + 2100)"], "http://127.0.0.1:\(ale + 2100)/health/ready"),
            ("txad-inference", ["--port", "\(inf)", "--admin-port", "\(inf + 2100)"], "http://127.0.0.1:\(inf + 2100)/health/ready"),
            (
                "txad-preprocessing", ["--port", "\(pre)", "--admin-port", "\(pre + 2100)"],
                "http://127.0.0.1:\(pre + 2100)/health/ready"
            ),
            (
                "txad-gateway",
                [
                    "--port", "\(gatewayPort)", "--preprocessing", "127.0.0.1:\(pre)", "--inference", "127.0.0.1:\(inf)",
                    "--alerts", "127.0.0.1:\(ale)",
                ],
                "\(scheme)://127.0.0.1:\(gatewayPort)/health"
            ),
        ]
        return try specs.map { name, arguments, readiness in
            let executable = bin + "/" + name
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw CLIError("\(executable) is missing: build everything first (`swift build -c release`)")
            }
            return ServiceSupervisor.Specification(
                name: name, executable: executable, arguments: arguments,
                environment: name == "txad-gateway" ? env.merging(gatewayEnvironment) { _, new in new } : env,
                logPath: "\(state)/logs/\(name).log", readinessURL: readiness)
        }
    }

    private func printWelcome(authOff: Bool, newKey: String?) {
        let keyFile = AdminKey.path(state: stateDir)
        if let newKey {
            say("\n  admin API key (shown once; also saved in \(keyFile), mode 0600):\n    \(newKey)")
        }
        let auth = authOff ? "" : " -H \"X-API-Key: $(cat \(keyFile))\""
        let gateway = tls ? "https://127.0.0.1:\(gatewayPort)" : "http://127.0.0.1:\(gatewayPort)"
        let trust = tls ? " --cacert \(LocalTLS.caFile(state: stateDir))" : ""
        if authOff { say("\n  !!! TXAD_AUTH=off: authentication is OFF; anyone reaching the gateway is an admin !!!") }
        say(
            """

            txad is up.
              gateway          \(gateway)/   (OpenAPI: /openapi.json, metrics: /metrics)\(tls ? "  TLS: trust \(LocalTLS.caFile(state: stateDir))" : "")
              health           \(gateway)/health
              dashboard        \(gateway)/dashboard
              internal admin   http://127.0.0.1:\(basePort + 2100)/metrics (preprocessing), :\(basePort + 2101) (inference), :\(basePort + 2102) (alerts)
              logs             \(stateDir)/logs/

            Try it:
              curl -s\(trust) -X POST \(gateway)/predict\(auth) -H 'Content-Type: application/json' \\
                -d '{"transaction_id":"demo-1","user_id":"user_42","timestamp":"2024-05-01T03:12:00Z","amount":4999.99,"merchant_category":"electronics","channel":"online","latitude":48.85,"longitude":2.35,"country":"FR"}'

            Ctrl-C stops everything.
            """)
    }

    /// Stops the embedded stores (the services have already drained into them).
    private func stopStores(redis: EmbeddedRedis?, postgres: EmbeddedPostgres?) async {
        try? await redis?.stop()
        try? await postgres?.stop()
    }

}

/// Prints a line on standard error (where `txad up` reports its progress).
private func say(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
