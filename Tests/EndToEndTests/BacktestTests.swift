import Detection
import Domain
import Foundation
import Registry
import Stores
import TestSupport
import Testing

/// `txad models backtest` against what the running system scored and recorded (issue 11: the backtest on a stored
/// window reproduces the live scores of the champion exactly).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct BacktestTests {
    @Test func aBacktestOfTheChampionReproducesTheLiveScoresExactly() async throws {
        let model = try await TestModel.prepared()
        try await LocalCluster.withStarted(modelDirectory: model.modelDirectory) { try await check($0, model) }
    }

    private func check(_ cluster: LocalCluster, _ model: TestModel.Prepared) async throws {
        // Users' whole history goes through the live system, so the replay from empty state sees the same past.
        // One batch of 3,000: the gateway scores its chunks of 500 concurrently, but each user's rows in one lane,
        // in order, so live processing follows each user's time order as the replay does.
        let rows = Array(model.rows.prefix(3000)).map(\.transaction)
        let body = try JSONSerialization.data(withJSONObject: rows.map(\.json))
        let (_, status) = try await HTTP.post(cluster.gatewayURL + "/predict/batch", body: body)
        #expect(status == 200)
        let db = try PostgresClient(url: cluster.postgres.url)
        defer { Task { await db.shutdown() } }
        var recorded = 0
        for _ in 0..<600 where recorded < rows.count {
            recorded = try await db.query("SELECT count(*) AS n FROM predictions").first?.int("n") ?? 0
            if recorded < rows.count { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(recorded == rows.count)
        // Analysts decide the first alerts: two confirmed, the rest legitimate.
        let decided = try await db.query(
            """
            UPDATE alerts SET status = CASE WHEN alert_id % 2 = 0 THEN 'confirmed_fraud' ELSE 'legitimate' END,
                decided_by = 'analyst', decided_at = now()
            WHERE alert_id IN (SELECT alert_id FROM alerts ORDER BY alert_id LIMIT 6) RETURNING status
            """)
        let fraud = decided.filter { $0["status"] == "confirmed_fraud" }.count

        let bundle = try ModelBundle.load(from: model.modelDirectory + "/e2e-1")
        let first = try #require(rows.map(\.timestampMillis).min())
        let last = try #require(rows.map(\.timestampMillis).max())
        let window = try Backtest.Window(sinceMillis: first, untilMillis: last + 1)
        var progressCalls: [Int] = []
        let report = try await Backtest.run(
            client: db, bundle: bundle, window: window, pageRows: 700,
            progress: { done, total in
                #expect(total == rows.count)
                progressCalls.append(done)
            })
        #expect(report.completed)
        #expect(report.windowRows == rows.count && report.rows == rows.count)
        #expect(progressCalls == [700, 1400, 2100, 2800, 3000])
        #expect(report.degradedRows == 0)
        #expect(report.sameVersionRows == rows.count)
        #expect(report.exactMatches == rows.count, "largest difference \(report.maximumDifference)")
        #expect(report.maximumDifference == 0)
        let comparison = report.comparison
        #expect(comparison.champion == "live e2e-1" && comparison.challenger == "e2e-1")
        #expect(comparison.alertRateDifference == 0)
        #expect(comparison.levels.allSatisfy { $0.agreeing == $0.count })
        #expect(comparison.decidedAlerts == decided.count)
        #expect(comparison.championPrecision == comparison.challengerPrecision)
        #expect(report.confirmedFraud == fraud && report.confirmedFraudCaught == fraud)
        #expect(report.days.map(\.transactions).reduce(0, +) == rows.count)
        #expect(report.days.allSatisfy { $0.liveAlerts == $0.backtestAlerts })

        // Stopping (Ctrl-C in the CLI) ends after the current page with the figures so far.
        let stopped = try await Backtest.run(
            client: db, bundle: bundle, window: window, pageRows: 1000, stopRequested: { true })
        #expect(!stopped.completed && stopped.rows == 0 && stopped.windowRows == rows.count)
        // An empty window is a report of nothing, not an error.
        let empty = try await Backtest.run(
            client: db, bundle: bundle, window: try Backtest.Window(sinceMillis: last + 1, untilMillis: last + 2))
        #expect(empty.completed && empty.rows == 0 && empty.comparison.correlation == nil)
        #expect(throws: RegistryError.self) { try Backtest.Window(sinceMillis: 5, untilMillis: 5) }

        try await midStreamWindow(cluster, bundle: bundle, rows: rows, db: db)
    }

    /// A window that starts mid-stream: without warm-up the users' first rows in it get cold-start features and
    /// their scores differ from live; with `--warm-up` covering the rows before it, every live score is reproduced.
    private func midStreamWindow(
        _ cluster: LocalCluster, bundle: ModelBundle, rows: [Transaction], db: PostgresClient
    ) async throws {
        let since = rows[rows.count / 2].timestampMillis
        let last = try #require(rows.map(\.timestampMillis).max())
        let window = try Backtest.Window(sinceMillis: since, untilMillis: last + 1)
        let inWindow = rows.filter { $0.timestampMillis >= since }.count
        let before = rows.count - inWindow
        let first = try #require(rows.map(\.timestampMillis).min())

        let cold = try await Backtest.run(client: db, bundle: bundle, window: window)
        #expect(cold.rows == inWindow && cold.warmUpRows == 0 && cold.warmUpSince == nil)
        #expect(cold.exactMatches < inWindow, "without history the users' first rows in the window differ")

        var progressTotals: Set<Int> = []
        let warm = try await Backtest.run(
            client: db, bundle: bundle, window: window, warmUpMillis: since - first, pageRows: 700,
            progress: { _, total in progressTotals.insert(total) })
        #expect(warm.completed)
        #expect(warm.windowRows == inWindow && warm.rows == inWindow)
        #expect(warm.warmUpRows == before && warm.warmUpSince == RFC3339.format(millis: first))
        #expect(progressTotals == [rows.count])
        #expect(warm.exactMatches == inWindow, "largest difference \(warm.maximumDifference)")
        #expect(warm.maximumDifference == 0)
        #expect(warm.days.map(\.transactions).reduce(0, +) == inWindow)
        // A warm-up shorter than the users' history reproduces fewer rows than a full one, more than none.
        let partial = try await Backtest.run(
            client: db, bundle: bundle, window: window, warmUpMillis: (since - first) / 4)
        #expect(partial.warmUpRows > 0 && partial.warmUpRows < before)
        #expect(partial.rows == inWindow && partial.exactMatches >= cold.exactMatches)
        print(
            "backtest from mid-stream: \(inWindow) window rows; identical without warm-up \(cold.exactMatches), with "
                + "a quarter warm-up (\(partial.warmUpRows) rows) \(partial.exactMatches), with the full warm-up "
                + "(\(warm.warmUpRows) rows) \(warm.exactMatches)")
        await #expect(throws: RegistryError.self) {
            _ = try await Backtest.run(client: db, bundle: bundle, window: window, warmUpMillis: -1)
        }

        // The same through the CLI: `txad models backtest --warm-up`, whole seconds before the window.
        let seconds = (since - first + 999) / 1000
        let output = try await Command.txad(
            [
                "models", "backtest", "e2e-1", "--since", RFC3339.format(millis: since),
                "--until", RFC3339.format(millis: last + 1), "--warm-up", "\(seconds)s",
                "--bundle", cluster.modelDirectory + "/e2e-1", "--database-url", cluster.postgres.url, "--quiet",
            ]
        ).output
        #expect(output.contains("warm-up                \(before) rows from"), "\(output)")
        #expect(output.contains("\(inWindow) rows, identical score and risk on \(inWindow),"), "\(output)")
    }
}
