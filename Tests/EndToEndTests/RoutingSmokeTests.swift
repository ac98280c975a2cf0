import Foundation
import HTTPSink
import Stores
import TestSupport
import Testing

/// The shipped `compose/routing.example.yaml` in a running cluster, every provider URL pointed at a local recording
/// sink (plus its commented-out signed webhook, enabled): scored transactions that raise critical alerts reach
/// PagerDuty, Slack, Twilio and the webhook in the providers' formats, and the webhook signature verifies with
/// `openssl`.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct RoutingSmokeTests {
    static let secret = "whsec_smoke"

    @Test func theExampleRoutingFileDeliversRealPayloadsToEveryCriticalChannel() async throws {
        let model = try await TestModel.prepared()
        let sink = try await HTTPSink.start { _, _ in .status(202, body: "{}") }
        let folder = NSTemporaryDirectory() + "txad-routing-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cluster = try await LocalCluster(
            modelDirectory: model.modelDirectory,
            environment: try Self.routingEnvironment(root: folder, sink: sink.url("")))
        do {
            try await cluster.start()
            try await run(cluster, model: model, sink: sink)
        } catch {
            await cluster.stop()
            try? await sink.stop()
            throw error
        }
        await cluster.stop()
        try await sink.stop()
    }

    private func run(_ cluster: LocalCluster, model: TestModel.Prepared, sink: HTTPSink) async throws {
        let anomalies = model.rows.filter { $0.label?.isAnomaly == true }.prefix(400).map(\.transaction)
        let body = try JSONSerialization.data(withJSONObject: anomalies.map(\.json))
        let (data, status) = try await HTTP.post(cluster.gatewayURL + "/predict/batch", body: body)
        #expect(status == 200)
        let results = try #require(try HTTP.json(data)["results"] as? [[String: Any]])
        let critical = results.filter { $0["risk_level"] as? String == "critical" }
        try #require(!critical.isEmpty, "no transaction scored critical")

        // Every critical alert's user is paged (a user's later alerts wait for the 60 min follow-up).
        func arrived(_ prefix: String) -> [HTTPSink.Request] { sink.requests.filter { $0.path.hasPrefix(prefix) } }
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline,
            ["/v2/enqueue", "/slack/", "/2010-04-01/", "/hooks/txad"].contains(where: { arrived($0).isEmpty })
        {
            try await Task.sleep(for: .milliseconds(200))
        }
        let database = try PostgresClient(url: cluster.postgres.url)
        defer { Task { await database.shutdown() } }
        let criticalAlerts = Set(
            try await database.query("SELECT alert_id FROM alerts WHERE risk_level = 'critical'").compactMap {
                $0["alert_id"]
            })

        let pages = try arrived("/v2/enqueue").map { try HTTP.json(Data($0.body)) }
        #expect(!pages.isEmpty)
        for page in pages {
            #expect(page["routing_key"] as? String == "pd-smoke-key")
            #expect(page["event_action"] as? String == "trigger")
            #expect(criticalAlerts.contains(page["dedup_key"] as? String ?? ""), "\(page)")
            let payload = try #require(page["payload"] as? [String: Any])
            #expect(payload["severity"] as? String == "critical")
            #expect((payload["summary"] as? String)?.isEmpty == false)
        }

        let slack = try arrived("/slack/").map { try HTTP.json(Data($0.body)) }
        #expect(!slack.isEmpty)
        #expect(slack.allSatisfy { ($0["text"] as? String)?.isEmpty == false && $0["blocks"] is [Any] })

        let sms = try #require(arrived("/2010-04-01/").first)
        #expect(sms.path == "/2010-04-01/Accounts/ACsmoke/Messages.json")
        #expect(sms.header("Authorization") == "Basic " + Data("ACsmoke:tw-token".utf8).base64EncodedString())
        #expect(sms.text.contains("To=%2B15005550010") && sms.text.contains("From=%2B15005550006"))

        let hooks = arrived("/hooks/txad")
        #expect(!hooks.isEmpty)
        for hook in hooks {
            let event = try HTTP.json(Data(hook.body))
            #expect(hook.header("Idempotency-Key") == event["id"] as? String)
            let signature = try #require(hook.header("Txad-Signature"))
            let parts = Dictionary(
                signature.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
                    .filter { $0.count == 2 }.map { ($0[0], $0[1]) }, uniquingKeysWith: { first, _ in first })
            let timestamp = try #require(parts["t"])
            #expect(parts["v1"] == (try await Self.opensslHMAC(body: hook.body, timestamp: timestamp)))
        }
        // What arrived is recorded as delivered (once the sending batch finished).
        var delivered = 0
        let recorded = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < recorded, delivered < pages.count + hooks.count {
            delivered = Int(
                try await database.query(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'"
                ).first?.int64("n") ?? 0)
            if delivered < pages.count + hooks.count { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(delivered >= pages.count + hooks.count)
    }

    /// The example file with its provider hosts replaced by the sink and its webhook enabled for critical alerts,
    /// and the environment its `*_env` keys name.
    static func routingEnvironment(root: String, sink: String) throws -> [String: String] {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var text = try String(
            contentsOf: repository.appendingPathComponent("compose/routing.example.yaml"), encoding: .utf8)
        for host in ["https://events.pagerduty.com", "https://api.twilio.com", "https://api.sendgrid.com"] {
            #expect(text.contains(host), "the example no longer names \(host)")
            text = text.replacingOccurrences(of: host, with: sink)
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.contains("# case-system:") {
                return "  case-system: {type: webhook, url: \"\(sink)/hooks/txad\", secret_env: [TXAD_WEBHOOK_SECRET]}"
            }
            return line.replacingOccurrences(
                of: "channels: [oncall-pagerduty, fraud-slack, oncall-sms]",
                with: "channels: [oncall-pagerduty, fraud-slack, oncall-sms, case-system]")
        }
        text = lines.joined(separator: "\n")
        #expect(text.contains("case-system]"), "the example's critical route changed")
        let path = root + "/routing.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return [
            "TXAD_ROUTING_FILE": path, "PAGERDUTY_ROUTING_KEY": "pd-smoke-key",
            "SLACK_WEBHOOK_URL": sink + "/slack/services/T0/B0/smoke", "TWILIO_ACCOUNT_SID": "ACsmoke",
            "TWILIO_AUTH_TOKEN": "tw-token", "SENDGRID_API_KEY": "sg-smoke", "TXAD_WEBHOOK_SECRET": secret,
        ]
    }

    /// Hex HMAC-SHA256 of `"<t>.<body>"` by `openssl dgst`, an implementation independent of txad's.
    static func opensslHMAC(body: [UInt8], timestamp: String) async throws -> String {
        let path = NSTemporaryDirectory() + "txad-signed-\(UUID().uuidString)"
        try Data(Array((timestamp + ".").utf8) + body).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await Command.run("/usr/bin/env", ["openssl", "dgst", "-sha256", "-hmac", secret, "-r", path])
        #expect(result.status == 0)
        return String(result.output.prefix { $0 != " " })
    }
}
