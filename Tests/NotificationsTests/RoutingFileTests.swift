import Domain
import Foundation
import Notifications
import Testing

@Suite struct RoutingFileTests {
    static let environment = [
        "PAGERDUTY_ROUTING_KEY": "pd-key-123", "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/secretpath",
        "TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "tw-token", "SENDGRID_API_KEY": "SG.key",
        "HOOK_A": "secret-a", "HOOK_B": "secret-b",
    ]

    /// The shipped example, relative to this file (Tests/NotificationsTests → repository root).
    static var examplePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("compose/routing.example.yaml").path
    }

    @Test func shippedExampleLoadsWithSpecRoutes() throws {
        let routing = try RoutingFile.load(path: Self.examplePath, environment: Self.environment)
        #expect(Set(routing.channels.keys) == ["oncall-pagerduty", "fraud-slack", "oncall-sms", "analysts-email"])
        let critical = routing.channels(riskLevel: .critical, reasonCodes: [], amount: 10).map(\.name)
        #expect(critical == ["oncall-pagerduty", "fraud-slack", "oncall-sms"])
        #expect(
            routing.channels(riskLevel: .high, reasonCodes: [], amount: 10).map(\.name) == [
                "fraud-slack", "analysts-email",
            ])
        #expect(routing.channels(riskLevel: .medium, reasonCodes: [], amount: 10).isEmpty)
        let routed = try #require(routing.channels(riskLevel: .critical, reasonCodes: [], amount: 1).first)
        #expect(routed.groupWindowSeconds == 3600 && routed.maxPerHour == 5 && routed.type == .pagerDuty)
        let sms = try #require(routing.channels["oncall-sms"])
        #expect(sms.url == "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json")
        #expect(routing.channels["fraud-slack"]?.url == "https://hooks.slack.com/services/T0/B0/secretpath")
        // The example limits the SMS channel; the others take the default.
        #expect(sms.maxConcurrency == 4)
        #expect(routing.channels["fraud-slack"]?.maxConcurrency == ChannelConfiguration.defaultMaxConcurrency)
    }

    @Test func maxConcurrencyIsReadPerChannel() throws {
        let routing = try RoutingFile.parse(
            yaml: """
                channels:
                  a: {type: slack, url: "http://x/y", max_concurrency: 1}
                  b: {type: slack, url: "http://x/z", max_concurrency: 1000}
                  c: {type: slack, url: "http://x/w"}
                """, environment: Self.environment)
        #expect(routing.channels["a"]?.maxConcurrency == 1)
        #expect(routing.channels["b"]?.maxConcurrency == 1000)
        #expect(routing.channels["c"]?.maxConcurrency == 32)
        #expect(routing.printable.contains { $0.1.hasPrefix("a: ") && $0.1.hasSuffix("max_concurrency=1") })
    }

    @Test func printedConfigurationMasksEverySecret() throws {
        let routing = try RoutingFile.load(path: Self.examplePath, environment: Self.environment)
        let printed = routing.printable.map { "\($0.0) \($0.1)" }.joined(separator: "\n")
        for secret in ["pd-key-123", "secretpath", "tw-token", "SG.key"] {
            #expect(!printed.contains(secret), "printed configuration leaks \(secret):\n\(printed)")
        }
        #expect(printed.contains("****(env PAGERDUTY_ROUTING_KEY)"))
        #expect(printed.contains("critical → oncall-pagerduty, fraud-slack, oncall-sms"))
    }

    @Test func narrowingByReasonCodeAndAmount() throws {
        let routing = try RoutingFile.parse(
            yaml: """
                channels:
                  big: {type: webhook, url: "http://127.0.0.1:9/x", secret_env: [HOOK_A, HOOK_B]}
                  geo: {type: webhook, url: "http://127.0.0.1:9/y", secret_env: HOOK_A}
                routes:
                  high:
                    - channels: [big]
                      min_amount: 1000
                      group_window: 0
                      max_per_hour: 2
                    - channels: [geo]
                      reason_codes: [NEW_COUNTRY]
                """, environment: Self.environment)
        #expect(routing.channels(riskLevel: .high, reasonCodes: ["AMOUNT_HIGH"], amount: 50).isEmpty)
        #expect(
            routing.channels(riskLevel: .high, reasonCodes: ["NEW_COUNTRY"], amount: 5000).map(\.name) == [
                "big", "geo",
            ])
        let big = try #require(routing.channels(riskLevel: .high, reasonCodes: [], amount: 1000).first)
        #expect(big.groupWindowSeconds == 0 && big.maxPerHour == 2)
        #expect(routing.channels(riskLevel: .critical, reasonCodes: ["NEW_COUNTRY"], amount: 5000).isEmpty)
        guard case .webhook(let secrets) = routing.channels["big"]?.settings else {
            Issue.record("big is not a webhook")
            return
        }
        #expect(secrets.map(\.value) == ["secret-a", "secret-b"])
    }

    @Test func noFileContentMeansReviewQueueOnly() throws {
        let routing = try RoutingFile.parse(yaml: "", environment: [:])
        #expect(!routing.hasRoutes && routing.channels.isEmpty)
    }

    /// Each bad file is refused with the line of the offending node and a reason naming it.
    @Test(arguments: [
        (
            "channels:\n  a:\n    type: pagerdutty\n    routing_key_env: PAGERDUTY_ROUTING_KEY\n", 3,
            "unknown type 'pagerdutty'"
        ),
        (
            "channels:\n  a: {type: slack, url: \"http://x/y\"}\nroutes:\n  high: [a, b]\n", 4,
            "channel 'b' is not defined"
        ),
        (
            "channels:\n  a:\n    type: pagerduty\n    routing_key_env: NOT_SET_ANYWHERE\n", 4,
            "NOT_SET_ANYWHERE is not set"
        ),
        ("channels:\n  a:\n    type: slack\n    url: ftp://files.example/x\n", 4, "is not an http(s) URL"),
        ("channels:\n  a:\n    type: slack\n    url: http://x/y\n    colour: red\n", 5, "unknown key 'colour'"),
        ("routes:\n  low: []\n", 2, "'low' is not an alert risk level"),
        (
            "channels:\n  a: {type: slack, url: \"http://x/y\"}\nroutes:\n  high:\n    channels: [a]\n    group_window: 3 days\n",
            6, "group_window"
        ),
        (
            "channels:\n  a: {type: sendgrid, api_key_env: SENDGRID_API_KEY, from: nobody, to: [x@y.z]}\n", 2,
            "not an e-mail address"
        ),
        ("channels: [\n  oops\n", 3, "not valid YAML"),
        (
            "channels:\n  a:\n    type: slack\n    url: http://x/y\n    max_concurrency: 0\n", 5,
            "channel 'a': max_concurrency: '0' is not a whole number in 1…1000"
        ),
        (
            "channels:\n  a: {type: slack, url: \"http://x/y\", max_concurrency: many}\n", 2,
            "max_concurrency: 'many' is not a whole number"
        ),
    ])
    func badFilesAreRefusedWithTheLine(yaml: String, line: Int, reason: String) throws {
        do {
            _ = try RoutingFile.parse(yaml: yaml, environment: Self.environment)
            Issue.record("accepted a bad routing file:\n\(yaml)")
        } catch let error as NotificationError {
            #expect(error.code == .invalidRoutingFile)
            #expect(error.line == line, "\(error)")
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test func loadNamesTheFileAndLine() throws {
        let path = NSTemporaryDirectory() + "routing-\(UUID().uuidString).yaml"
        try "channels:\n  a:\n    type: carrier-pigeon\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try RoutingFile.load(path: path, environment: [:])
            Issue.record("accepted an unknown channel type")
        } catch let error as NotificationError {
            #expect(error.description.hasPrefix("\(path):3:"), "\(error)")
        }
    }
}
