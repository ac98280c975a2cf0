import ArgumentParser
import Domain
import EmbeddedStores
import Foundation
import HTTPSink
import Logging
import Notifications
import Stores
import Wire

/// `txad bench notifications`: outbox → channel throughput and alert-commit-to-delivery latency, with one and two
/// alerts replicas delivering to a local HTTP sink (a signed webhook channel). Prints a table; never asserts.
///
/// Each run gets a fresh database on a throwaway PostgreSQL and its own `txad-alerts` processes (built next to this
/// executable). Recording: `--alerts` high-risk alerts of distinct users are recorded in batches of 500 through the
/// Record RPC of a replica that enqueues but does not deliver (`--notification-workers 0`), filling the outbox.
/// Delivery: then the delivering replicas start, and deliveries/s is the outbox drained from the sink's first
/// arrival to its last. Latency: `--latency-alerts` alerts recorded one at a time, 5 ms apart, through the
/// delivering replicas; each is timed from its Record answer (the commit) to its arrival at the sink.
struct NotificationsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications",
        abstract:
            "Deliveries/s from the outbox to a local sink with 1 and 2 alerts replicas; commit-to-delivery latency.")

    @Option(help: "Alerts for the throughput run.") var alerts = 10_000
    @Option(help: "Alerts for the latency run (recorded one at a time).") var latencyAlerts = 500
    @Option(help: "Replica counts to measure, comma-separated.") var replicas = "1,2"
    @Option(help: "Dispatcher claim loops per delivering replica (TXAD_NOTIFICATION_WORKERS).") var workers = 4
    @Option(help: "The sink channel's max_concurrency (requests in flight per replica).")
    var maxConcurrency = ChannelConfiguration.defaultMaxConcurrency

    func validate() throws {
        guard (100...1_000_000).contains(alerts) else { throw ValidationError("--alerts must be 100…1000000") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be 1…64") }
        guard (1...ChannelConfiguration.maximumMaxConcurrency).contains(maxConcurrency) else {
            throw ValidationError("--max-concurrency must be 1…\(ChannelConfiguration.maximumMaxConcurrency)")
        }
        guard (10...100_000).contains(latencyAlerts) else {
            throw ValidationError("--latency-alerts must be 10…100000")
        }
    }

    func run() async throws {
        let counts = replicas.split(separator: ",").compactMap { Int($0) }.filter { (1...8).contains($0) }
        guard !counts.isEmpty else { throw ValidationError("--replicas must list 1…8, e.g. 1,2") }
        let workspace = try BenchWorkspace(name: "notifications", needs: "txad-alerts")
        defer { workspace.remove() }
        let (bin, folder, logger) = (workspace.bin, workspace.folder, workspace.logger)
        say("starting PostgreSQL and the sink…")
        let postgres = try await EmbeddedPostgres.start(logger: logger)
        let sink = try await HTTPSink.start()
        var lines: [String] = []
        do {
            let routing = folder + "/routing.yaml"
            try """
            channels:
              sink:
                type: webhook
                url: "\(sink.url("/hook"))"
                secret_env: TXAD_BENCH_SECRET
                max_concurrency: \(maxConcurrency)
            routes:
              high:
                channels: [sink]
                group_window: 0
                max_per_hour: 1000
            """.write(toFile: routing, atomically: true, encoding: .utf8)
            for (index, count) in counts.enumerated() {
                let line = try await measure(
                    replicas: count, run: index, postgres: postgres, sink: sink, routing: routing, bin: bin,
                    folder: folder, logger: logger)
                lines.append(line)
            }
        } catch {
            try? await sink.stop()
            try? await postgres.stop()
            throw error
        }
        try await sink.stop()
        try await postgres.stop()
        print(
            "replicas  alerts  recorded/s  deliveries/s  commit→delivery p50  p99     (latency run: \(latencyAlerts) alerts, 1 every 5 ms)"
        )
        for line in lines { print(line) }
    }

    private func measure(
        replicas: Int, run: Int, postgres: EmbeddedPostgres, sink: HTTPSink, routing: String, bin: String,
        folder: String, logger: Logger
    ) async throws -> String {
        let admin = try PostgresClient(url: postgres.url)
        let name = "bench_notifications_\(run)"
        try await admin.execute("CREATE DATABASE \(name)")
        await admin.shutdown()
        let url = String(postgres.url[..<(postgres.url.lastIndex(of: "/") ?? postgres.url.endIndex)]) + "/" + name
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = url
        environment["TXAD_ROUTING_FILE"] = routing
        environment["TXAD_BENCH_SECRET"] = "bench-secret"
        environment["TXAD_LOG_LEVEL"] = "warning"
        var ports: [Int] = []
        var recordSeconds = 0.0
        var processes: [ServiceProcess] = []
        /// Starts one replica (its RPC port once ready); `workers` 0 records without delivering.
        func startReplica(_ name: String, workers: Int) async throws -> Int {
            let port = try Loopback.freePort()
            let adminPort = try Loopback.freePort()
            environment["TXAD_SPOOL_DIR"] = folder + "/spool-\(run)-\(name)"
            environment["TXAD_NOTIFICATION_WORKERS"] = String(workers)
            let child = try ServiceProcess(
                name: "txad-alerts", executable: bin + "/txad-alerts",
                arguments: ["--port", "\(port)", "--admin-port", "\(adminPort)"], environment: environment,
                logPath: folder + "/alerts-\(run)-\(name).log")
            processes.append(child)
            guard
                await ReadinessProbe.waitUntilReady(
                    "http://127.0.0.1:\(adminPort)/health/ready", timeout: .seconds(60),
                    keepWaiting: { child.isRunning })
            else {
                throw CLIError("txad-alerts did not become ready:\n\(child.logTail())")
            }
            return port
        }
        do {
            let recorderPort = try await startReplica("recorder", workers: 0)
            let recorderRPC = RPCClient(
                configuration: .init(
                    targets: [RPCClient.Target(host: "127.0.0.1", port: recorderPort)], defaultDeadline: .seconds(60)))
            let recorder = AlertsClient(wrapping: recorderRPC)
            // The schema is migrated in the background: wait until a record commits instead of spooling.
            let warm = Self.alert("warm-\(run)", user: "warm")
            while try await recorder.record(RecordRequest(items: [warm])).spooled {
                try await Task.sleep(for: .milliseconds(200))
            }
            say("\(replicas) replica(s): recording \(alerts) alerts into the outbox…")
            let start = ContinuousClock.now
            var recorded = 0
            while recorded < alerts {
                let size = min(500, alerts - recorded)
                let batch = (recorded..<(recorded + size)).map { Self.alert("t\(run)-\($0)", user: "t\(run)-\($0)") }
                _ = try await recorder.record(RecordRequest(items: batch))
                recorded += size
            }
            recordSeconds = start.duration(to: .now).inSeconds
            await recorderRPC.close()
            sink.clear()
            say("\(replicas) replica(s): delivering the outbox…")
            for replica in 0..<replicas { ports.append(try await startReplica("\(replica)", workers: workers)) }
        } catch {
            for process in processes { await process.stop(grace: .seconds(5)) }
            throw error
        }
        let rpc = RPCClient(
            configuration: .init(
                targets: ports.map { RPCClient.Target(host: "127.0.0.1", port: $0) }, defaultDeadline: .seconds(30)))
        let client = AlertsClient(wrapping: rpc)
        defer { _ = rpc }
        do {
            // The warm-up alert is delivered too.
            let received = try await sink.waitForRequests(alerts + 1, timeout: .seconds(600)).filter {
                $0.text.contains("\"t\(run)-")
            }
            let first = received.map(\.receivedAt).min() ?? .now
            let last = received.map(\.receivedAt).max() ?? first
            let throughput = Double(max(0, received.count - 1)) / max(first.duration(to: last).inSeconds, 1e-9)
            sink.clear()
            say("\(replicas) replica(s): latency run, \(latencyAlerts) alerts…")
            var committed: [String: ContinuousClock.Instant] = [:]
            for index in 0..<latencyAlerts {
                let id = "l\(run)-\(index)"
                _ = try await client.record(RecordRequest(items: [Self.alert(id, user: id)]))
                committed[id] = .now
                try await Task.sleep(for: .milliseconds(5))
            }
            let arrivals = try await sink.waitForRequests(latencyAlerts, timeout: .seconds(120))
            var latencies: [Double] = []
            for request in arrivals {
                guard let json = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                    let alert = ((json["data"] as? [String: Any])?["alerts"] as? [[String: Any]])?.first,
                    let id = alert["transaction_id"] as? String, let commit = committed[id]
                else { continue }
                latencies.append(commit.duration(to: request.receivedAt).inSeconds * 1000)
            }
            latencies.sort()
            let recordedRate = Double(alerts) / max(recordSeconds, 1e-9)
            let p50 = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
            let p99 = latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
            await rpc.close()
            for process in processes { await process.stop(grace: .seconds(10)) }
            return String(
                format: "%8d  %6d  %10.0f  %12.0f  %17.1f ms  %6.1f ms", replicas, received.count, recordedRate,
                throughput, p50, p99)
        } catch {
            await rpc.close()
            for process in processes { await process.stop(grace: .seconds(10)) }
            throw error
        }
    }

    private static func alert(_ id: String, user: String) -> ScoredTransaction {
        let transaction = Transaction(
            transactionID: id, userID: user, timestampMillis: 1_714_000_000_000, amount: 250, currency: "EUR",
            merchantID: "m-1", merchantCategory: "electronics", channel: .online, latitude: nil, longitude: nil,
            country: "FR")
        let score = Score(
            transactionID: id, isolationForest: 0.9, autoencoder: 0.9, ensemble: 0.9, isAnomaly: true, riskLevel: .high,
            reasons: [Reason(code: "AMOUNT_HIGH", feature: "amount_ratio_user", value: 9, text: "Amount is 9× usual")],
            modelVersion: "bench")
        return ScoredTransaction(
            transaction: transaction, score: score, degraded: false, requestID: "bench-\(id)",
            scoredAtMillis: 1_714_000_000_000)
    }

    private func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}
