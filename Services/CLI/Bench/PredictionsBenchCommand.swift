import ArgumentParser
import EmbeddedStores
import Foundation
import Logging
import Stores
import Wire

/// `txad bench predictions`: `/stats` and review-queue latency with millions of stored predictions (the data-growth
/// target: 10 M predictions and 100 k alerts, p99 ≤ 50 ms). Prints a table and JSON; never asserts.
///
/// A throwaway PostgreSQL (or `--database-url`: an empty database, or one an earlier run loaded) is migrated by a real
/// `txad-alerts` process (built next to this executable), loaded with `--predictions` rows spread over `--days` days
/// (in SQL, `generate_series`, one statement per million rows), one in `--predictions / --alerts` of them an alert,
/// `--pending-share` of the alerts still pending, the rest decided. Then each query is called `--iterations` times
/// over the service's RPCs, one call at a time: Stats (the `/stats` pair: Alerts/Stats and Reviews/Stats together,
/// as the gateway calls them), Reviews/Queue (the first page of `GET /reviews`), Alerts/ListReviews (the older
/// queue) and Reviews/GetAlert (one alert and the user's recent transactions).
struct PredictionsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predictions",
        abstract: "Latency of /stats and the review queue over millions of stored predictions (partitioned table).")

    @Option(help: "Predictions to store.") var predictions = 10_000_000
    @Option(help: "Alerts among them (risk ≥ medium).") var alerts = 100_000
    @Option(help: "Days the predictions span, ending now.") var days = 90
    @Option(help: "Share of the alerts still pending review.") var pendingShare = 0.25
    @Option(help: "Calls per query.") var iterations = 300
    @Option(help: "A PostgreSQL database instead of a throwaway server: empty, or loaded by an earlier run (kept).")
    var databaseURL: String?

    func validate() throws {
        guard (1_000...1_000_000_000).contains(predictions) else {
            throw ValidationError("--predictions must be 1000…1000000000")
        }
        guard (10...predictions).contains(alerts) else { throw ValidationError("--alerts must be 10…--predictions") }
        guard (1...3650).contains(days) else { throw ValidationError("--days must be 1…3650") }
        guard (0...1).contains(pendingShare) else { throw ValidationError("--pending-share must be 0…1") }
        guard (10...100_000).contains(iterations) else { throw ValidationError("--iterations must be 10…100000") }
    }

    func run() async throws {
        let workspace = try BenchWorkspace(name: "predictions", needs: "txad-alerts")
        defer { workspace.remove() }
        let (bin, folder, logger) = (workspace.bin, workspace.folder, workspace.logger)
        var postgres: EmbeddedPostgres?
        if databaseURL == nil { postgres = try await EmbeddedPostgres.start(logger: logger) }
        let url = databaseURL ?? postgres?.url ?? ""
        let database = try PostgresClient(url: url)
        let port = try Loopback.freePort()
        let adminPort = try Loopback.freePort()
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = url
        environment["TXAD_SPOOL_DIR"] = folder + "/spool"
        environment["TXAD_LOG_LEVEL"] = "warning"
        environment["TXAD_PREDICTION_RETENTION_DAYS"] = "\(days + 1)"
        var service: ServiceProcess?
        let rpc = RPCClient(
            configuration: .init(targets: [.init(host: "127.0.0.1", port: port)], defaultDeadline: .seconds(60)))
        do {
            let process = try ServiceProcess(
                name: "txad-alerts", executable: bin + "/txad-alerts",
                arguments: ["--port", "\(port)", "--admin-port", "\(adminPort)"], environment: environment,
                logPath: folder + "/alerts.log")
            service = process
            try await waitForSchema(database, process: process)
            guard
                await ReadinessProbe.waitUntilReady(
                    "http://127.0.0.1:\(adminPort)/health/ready", timeout: .seconds(60),
                    keepWaiting: { process.isRunning })
            else { throw CLIError("txad-alerts did not become ready:\n\(process.logTail())") }
            try await load(database)
            let rows = try await measure(alerts: AlertsClient(wrapping: rpc), reviews: ReviewsClient(wrapping: rpc))
            report(rows)
        } catch {
            await rpc.close()
            await service?.stop(grace: .seconds(10))
            await database.shutdown()
            try? await postgres?.stop()
            throw error
        }
        await rpc.close()
        await service?.stop(grace: .seconds(10))
        await database.shutdown()
        try await postgres?.stop()
    }

    /// Waits until the service has applied the migrations the measured queries read: 50 (partitioned predictions)
    /// and 60 (alert counters; on a loaded database it back-fills them from the alerts).
    private func waitForSchema(_ database: PostgresClient, process: ServiceProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw CLIError("txad-alerts stopped:\n\(process.logTail())") }
            let rows = try? await database.query(
                "SELECT count(*) AS n FROM pg_class WHERE relname = ANY($1::text[])",
                [PostgresValue(array: Self.requiredRelations.map { PostgresValue($0) })])
            if (try? rows?.first?.int64("n")) == Int64(Self.requiredRelations.count) { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw CLIError("txad-alerts did not migrate the database within 120 s:\n\(process.logTail())")
    }

    private static let alertedPartition = "predictions_alerted"
    /// Relations of migrations 50 (partitioned predictions) and 60 (alert counters).
    private static let requiredRelations = [alertedPartition, "alert_counts"]

    /// Fills predictions (daily partitions created first) and alerts in SQL, unless the database already holds them
    /// (a `--database-url` an earlier run loaded: loading 10 M rows takes minutes).
    private func load(_ database: PostgresClient) async throws {
        let started = ContinuousClock.now
        let stored = try await database.query("SELECT COALESCE(sum(n), 0)::bigint AS n FROM prediction_counts")
        if let n = try stored.first?.int64("n"), n >= predictions {
            try await summarize(database, seconds: 0, note: "already loaded: ")
            return
        }
        _ = try await database.query(
            "SELECT txad_create_prediction_partitions((now() AT TIME ZONE 'UTC')::date - $1::int, $1::int + 1) AS n",
            [PostgresValue(days)])
        let every = max(1, predictions / alerts)
        let chunk = 1_000_000
        let bar = ProgressBar(label: "loading predictions", total: predictions)
        var done = 0
        while done < predictions {
            let upper = min(predictions, done + chunk)
            _ = try await database.execute(
                """
                INSERT INTO predictions (transaction_id, user_id, occurred_at, amount, currency, merchant_category,
                    channel, country, isolation_forest, autoencoder, ensemble, is_anomaly, risk_level, model_version,
                    degraded, request_id, scored_at)
                SELECT 'bench-' || g, 'user-' || (g % 200000), t, (g % 50000) / 100.0, 'EUR', 'grocery', 'online',
                    'FR', e, e, e, g % $4::int = 0,
                    CASE WHEN g % $4::int <> 0 THEN 'low' WHEN g % 3 = 0 THEN 'medium' WHEN g % 3 = 1 THEN 'high'
                        ELSE 'critical' END,
                    'bench', false, 'bench-' || g, t
                FROM generate_series($1::bigint, $2::bigint) AS g,
                    LATERAL (SELECT now() - make_interval(secs => ($3::int * 86400.0) * ($5::bigint - g) / $5::bigint)
                        AS t, random() AS e) AS v
                """,
                [
                    PostgresValue(done + 1), PostgresValue(upper), PostgresValue(days), PostgresValue(every),
                    PostgresValue(predictions),
                ])
            done = upper
            bar.update(done)
        }
        bar.finish(done)
        _ = try await database.execute(
            """
            INSERT INTO alerts (transaction_id, risk_level, ensemble, reasons, model_version, status, created_at,
                decided_by, decided_at, decision_note)
            SELECT transaction_id, risk_level, ensemble, '[]'::jsonb, model_version, s, scored_at,
                CASE WHEN s <> 'pending' THEN 'bench' END,
                CASE WHEN s <> 'pending' THEN scored_at + make_interval(mins => (random() * 600)::int) END,
                CASE WHEN s <> 'pending' THEN 'bench' END
            FROM (
                SELECT p.*, CASE WHEN random() < $1::float8 THEN 'pending'
                    WHEN random() < 0.3 THEN 'confirmed_fraud' ELSE 'legitimate' END AS s
                FROM \(Self.alertedPartition) p WHERE model_version = 'bench'
            ) AS alerted
            """, [PostgresValue(pendingShare)])
        _ = try await database.execute("ANALYZE")
        try await summarize(database, seconds: Int(started.duration(to: .now).components.seconds), note: "")
    }

    private func summarize(_ database: PostgresClient, seconds: Int, note: String) async throws {
        let counts = try await database.query(
            """
            SELECT (SELECT count(*) FROM predictions) AS predictions, (SELECT count(*) FROM alerts) AS alerts,
                (SELECT count(*) FROM alerts WHERE status = 'pending') AS pending,
                (SELECT count(*) FROM pg_inherits WHERE inhparent = 'predictions_low'::regclass) AS partitions,
                pg_size_pretty(pg_database_size(current_database())) AS size
            """)
        let row = counts.first
        FileHandle.standardError.write(
            Data(
                """
                \(note)\(try row?.int64("predictions") ?? 0) predictions, \(try row?.int64("alerts") ?? 0) alerts \
                (\(try row?.int64("pending") ?? 0) pending), \(try row?.int64("partitions") ?? 0) partitions of \
                low-risk days, database \(try row?.string("size") ?? "?"), loaded in \(seconds) s

                """.utf8))
    }

    /// One query's latencies in milliseconds, sorted.
    struct Timing {
        let name: String
        let milliseconds: [Double]

        func percentile(_ p: Double) -> Double {
            milliseconds[min(milliseconds.count - 1, Int(Double(milliseconds.count) * p))]
        }
    }

    private func measure(alerts: AlertsClient, reviews: ReviewsClient) async throws -> [Timing] {
        let pending = try await reviews.queue(ReviewQueueRequest(limit: 1))
        let someAlert = pending.items.first?.alert.alertID ?? "1"
        let queries: [(String, @Sendable () async throws -> Void)] = [
            (
                "/stats (Alerts/Stats + Reviews/Stats)",
                {
                    async let review = reviews.stats(ReviewStatsRequest())
                    _ = try await alerts.stats()
                    _ = try await review
                }
            ),
            ("review queue (Reviews/Queue, 50)", { _ = try await reviews.queue(ReviewQueueRequest()) }),
            (
                "review list (Alerts/ListReviews, 50)",
                { _ = try await alerts.listReviews(ListReviewsRequest(status: .pending, limit: 50)) }
            ),
            ("alert detail (Reviews/GetAlert)", { _ = try await reviews.getAlert(GetAlertRequest(alertID: someAlert)) }),
        ]
        var timings: [Timing] = []
        for (name, call) in queries {
            for _ in 0..<10 { try await call() }
            var samples: [Double] = []
            for _ in 0..<iterations {
                let start = ContinuousClock.now
                try await call()
                let elapsed = start.duration(to: .now).components
                samples.append(Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15)
            }
            timings.append(Timing(name: name, milliseconds: samples.sorted()))
        }
        return timings
    }

    private func report(_ timings: [Timing]) {
        print("\(predictions) predictions, \(alerts) alerts over \(days) days; \(iterations) calls each, one at a time")
        print("query                                      p50 ms   p99 ms   max ms")
        for timing in timings {
            let name = timing.name.padding(toLength: 40, withPad: " ", startingAt: 0)
            print(
                name
                    + String(
                        format: " %8.1f %8.1f %8.1f", timing.percentile(0.5), timing.percentile(0.99),
                        timing.milliseconds.last ?? 0))
        }
        let json = timings.map { timing in
            "{\"query\":\"\(timing.name)\",\"p50_ms\":\(timing.percentile(0.5)),\"p99_ms\":\(timing.percentile(0.99))}"
        }
        print("{\"predictions\":\(predictions),\"alerts\":\(alerts),\"results\":[\(json.joined(separator: ","))]}")
    }
}
