import Domain
import EmbeddedStores
import Foundation
import HTTPSink
import Stores
import Testing
import Wire

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The review and notification metrics of a real `txad-alerts` process over a real PostgreSQL and a real sink: the
/// backlog and SLA breaches per risk, deliveries per channel and outcome, dead letters and the outbox gauges, read
/// from its admin `/metrics`.
@Suite(.timeLimit(.minutes(5)))
struct AlertsMetricsTests {
    @Test func backlogSLABreachesDeliveriesAndDeadLettersAreExposed() async throws {
        let root = NSTemporaryDirectory() + "txad-metrics-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let postgres = try await EmbeddedPostgres.start()
        let sink = try await HTTPSink.start { request, _ in
            request.path == "/bad" ? .status(400, body: "invalid_payload") : .status(202)
        }
        var process: Process?
        var failure: (any Error)?
        do {
            try """
            channels:
              good: {type: webhook, url: "\(sink.url("/good"))", secret_env: METRICS_SECRET}
              bad: {type: webhook, url: "\(sink.url("/bad"))", secret_env: METRICS_SECRET}
            routes:
              critical: [bad]
              high: {channels: [good], group_window: 0}
            """.write(toFile: root + "/routing.yaml", atomically: true, encoding: .utf8)
            let port = try Loopback.freePort()
            let adminPort = try Loopback.freePort()
            process = try DispatcherCrashTests.startAlerts(
                ["--port", "\(port)", "--admin-port", "\(adminPort)", "--review-sla-minutes", "high=60"],
                database: postgres.url, root: root, environment: ["METRICS_SECRET": "s3cret"])
            let items = [
                OutboxFixture.scored("m-h1", .high), OutboxFixture.scored("m-h2", .high),
                OutboxFixture.scored("m-c1", .critical), OutboxFixture.scored("m-m1", .medium),
            ]
            #expect(try await DispatcherCrashTests.recordOnceMigrated(items, port: port))
            // One high alert has waited two hours: past its 60 min SLA.
            let database = try PostgresClient(url: postgres.url)
            try await database.execute(
                "UPDATE alerts SET created_at = now() - interval '2 hours' WHERE transaction_id = 'm-h1'")
            await database.shutdown()

            let expected = [
                #"txad_review_backlog{risk_level="high"} 2"#, #"txad_review_backlog{risk_level="critical"} 1"#,
                #"txad_review_backlog{risk_level="medium"} 1"#, #"txad_review_sla_breaches{risk_level="high"} 1"#,
                #"txad_review_sla_breaches{risk_level="critical"} 0"#,
                #"txad_notification_deliveries_total{channel="good",outcome="delivered"} 2"#,
                #"txad_notification_deliveries_total{channel="bad",outcome="dead"} 1"#,
                #"txad_notification_deliveries_total{channel="good",outcome="dead"} 0"#,
                #"txad_notification_dead_letters_total{channel="bad"} 1"#,
                #"txad_notification_dead_letters_total{channel="good"} 0"#,
                "txad_notification_outbox_pending 0", "txad_notification_outbox_oldest_pending_age_seconds 0",
            ]
            var missing = expected
            let deadline = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < deadline, !missing.isEmpty {
                try await Task.sleep(for: .milliseconds(500))
                let url = try #require(URL(string: "http://127.0.0.1:\(adminPort)/metrics"))
                guard let (data, _) = try? await URLSession.shared.data(from: url) else { continue }
                let samples = Set(
                    String(decoding: data, as: UTF8.self).split(separator: "\n").map { Self.normalized($0) })
                missing = expected.filter { !samples.contains($0) }
            }
            #expect(missing.isEmpty, "not exposed as expected: \(missing)")
        } catch {
            failure = error
        }
        if let child = process, child.isRunning {
            child.terminate()
            await DispatcherCrashTests.waitForExit(child)
        }
        try await sink.stop()
        try await postgres.stop()
        if let failure { throw failure }
    }

    /// `name{b="2",a="1"} 2.0` → `name{a="1",b="2"} 2`: labels sorted, whole numbers without a fraction.
    static func normalized(_ line: Substring) -> String {
        guard !line.hasPrefix("#"), let space = line.lastIndex(of: " ") else { return String(line) }
        var series = String(line[..<space])
        if let open = series.firstIndex(of: "{"), series.hasSuffix("}") {
            let labels = series[series.index(after: open)..<series.index(before: series.endIndex)]
                .split(separator: ",").sorted().joined(separator: ",")
            series = series[..<open] + "{" + labels + "}"
        }
        let value = Double(line[line.index(after: space)...]) ?? .nan
        let text = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        return series + " " + text
    }
}
