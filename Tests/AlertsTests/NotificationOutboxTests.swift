import Domain
import Foundation
import HTTPSink
import Notifications
import Stores
import Synchronization
import Testing
import Wire

@testable import AlertsService

/// The outbox and its dispatcher against a real PostgreSQL and a real local HTTP sink.
@Suite(.timeLimit(.minutes(5)))
struct NotificationOutboxTests {
    static let webhookAndPager = OutboxFixture.yaml(
        """
        channels:
          hook: {type: webhook, url: "SINK/hook", secret_env: HOOK_SECRET}
          pager: {type: pagerduty, url: "SINK/pagerduty", routing_key_env: PD_KEY}
        routes:
          critical: [pager, hook]
          high: [hook]
          medium: []
        """)

    static let rows = "SELECT count(*) AS n FROM notification_deliveries"

    /// High alerts to a webhook, without grouping, at most 2 notifications per user and hour.
    static let hourlyCapOfTwo = OutboxFixture.yaml(
        """
        channels:
          hook: {type: webhook, url: "SINK/hook", secret_env: HOOK_SECRET}
        routes:
          high:
            channels: [hook]
            group_window: 0
            max_per_hour: 2
        """)

    @Test func notificationsAreEnqueuedWithTheirAlertsOnce() async throws {
        try await OutboxFixture.with(routing: Self.webhookAndPager) { fx in
            let batch = [
                OutboxFixture.scored("c1", .critical), OutboxFixture.scored("h1", .high),
                OutboxFixture.scored("m1", .medium), OutboxFixture.scored("l1", .low),
            ]
            try await fx.recorder.record(batch)
            #expect(try await fx.count(Self.rows) == 3)
            let channels = try await fx.database.query(
                """
                SELECT p.transaction_id, d.channel, d.channel_type, d.event_type, d.state, d.user_key
                FROM notification_deliveries d JOIN alerts a USING (alert_id) JOIN predictions p USING (transaction_id)
                ORDER BY p.transaction_id, d.channel
                """)
            #expect(
                channels.map { "\($0["transaction_id"] ?? "")/\($0["channel"] ?? "")/\($0["channel_type"] ?? "")" }
                    == ["c1/hook/webhook", "c1/pager/pagerduty", "h1/hook/webhook"])
            #expect(channels.allSatisfy { $0["event_type"] == "alert.created" && $0["state"] == "pending" })
            #expect(channels.allSatisfy { ($0["user_key"] ?? "").hasPrefix("u_") })
            // Recording again (a retried call, a replayed spool) adds nothing.
            try await fx.recorder.record(batch)
            #expect(try await fx.count(Self.rows) == 3)
        }
    }

    @Test func withoutRoutingNoRowsAreWritten() async throws {
        try await OutboxFixture.with(routing: { _ in .reviewQueueOnly }) { fx in
            try await fx.recorder.record([OutboxFixture.scored("c1", .critical)])
            #expect(try await fx.count("SELECT count(*) AS n FROM alerts") == 1)
            #expect(try await fx.count(Self.rows) == 0)
        }
    }

    @Test func spoolReplayEnqueuesLikeADirectWriteAndOnlyOnce() async throws {
        try await OutboxFixture.with(routing: Self.webhookAndPager) { fx in
            let directory = NSTemporaryDirectory() + "txad-outbox-spool-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let spool = try DurableSpool(path: directory + "/alerts.spool")
            let service = AlertsService(
                database: fx.database, spool: spool, routing: fx.routing, logger: OutboxFixture.logger)
            let items = [OutboxFixture.scored("c1", .critical), OutboxFixture.scored("h1", .high)]
            try spool.append([try RecordRequest(items: items).serialized()])
            try spool.append([try RecordRequest(items: items).serialized()])
            #expect(try await service.replaySpool() == 2)
            #expect(try await fx.count(Self.rows) == 3)
            #expect(try await fx.count("SELECT count(*) AS n FROM alerts") == 2)
        }
    }

    @Test func dispatcherDeliversEachRowWithSignatureAndIdempotencyKey() async throws {
        try await OutboxFixture.with(routing: Self.webhookAndPager) { fx in
            try await fx.recorder.record((0..<10).map { OutboxFixture.scored("c\($0)", .critical) })
            let delivered = try await fx.whileDispatching([fx.dispatcher()]) {
                try await fx.waitFor(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'", equals: 20)
            }
            #expect(delivered == 20)
            let requests = fx.sink.requests
            #expect(requests.count == 20)
            let hooks = requests.filter { $0.path == "/hook" }
            let ids = try await fx.database.query(
                "SELECT delivery_id FROM notification_deliveries WHERE channel = 'hook'"
            ).compactMap { $0["delivery_id"] }
            #expect(Set(hooks.compactMap { $0.header("Idempotency-Key") }) == Set(ids))
            let now = Int64(Date().timeIntervalSince1970)
            for hook in hooks {
                let signature = try #require(hook.header("Txad-Signature"))
                #expect(WebhookSignature.verify(header: signature, body: hook.body, secret: "whsec_test", now: now))
            }
            let pagerKeys = try requests.filter { $0.path == "/pagerduty" }.map { request in
                try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])["dedup_key"]
                    as? String
            }
            let alertIDs = try await fx.database.query("SELECT alert_id FROM alerts").compactMap { $0["alert_id"] }
            #expect(Set(pagerKeys.compactMap { $0 }) == Set(alertIDs))
            let row = try #require(
                try await fx.database.query(
                    "SELECT attempts, last_status, lease_owner, delivered_at IS NOT NULL AS done FROM notification_deliveries LIMIT 1"
                ).first)
            #expect(try row.int("attempts") == 1 && row.int("last_status") == 202 && row.bool("done") == true)
            #expect(row["lease_owner"] == nil)
        }
    }

    @Test func retryableFailuresBackOffFinalOnesDeadLetter() async throws {
        let routing = OutboxFixture.yaml(
            """
            channels:
              flaky: {type: webhook, url: "SINK/flaky", secret_env: HOOK_SECRET}
              broken: {type: webhook, url: "SINK/broken", secret_env: HOOK_SECRET, max_attempts: 3}
              refused: {type: slack, url: "SINK/refused"}
            routes:
              critical: [flaky, broken, refused]
            """)
        let flakyCalls = CallCounter()
        try await OutboxFixture.with(
            responder: { request, _ in
                switch request.path {
                case "/flaky":
                    // 500, 500, 429 (Retry-After: 0), then 200.
                    let call = flakyCalls.next()
                    if call < 2 { return .status(500) }
                    return call == 2 ? .status(429, headers: [("Retry-After", "0")]) : .status(200)
                case "/broken": return .status(503, body: "maintenance")
                default: return .status(400, body: "invalid_payload")
                }
            }, routing: routing
        ) { fx in
            try await fx.recorder.record([OutboxFixture.scored("c1", .critical)])
            try await fx.whileDispatching([fx.dispatcher()]) {
                try await fx.waitFor(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE state IN ('delivered', 'dead')", equals: 3)
            }
            let rows = try await fx.database.query(
                "SELECT channel, state, attempts, last_status, last_error FROM notification_deliveries ORDER BY channel"
            )
            let byChannel = Dictionary(uniqueKeysWithValues: rows.map { ($0["channel"] ?? "", $0) })
            #expect(byChannel["flaky"]?["state"] == "delivered")
            #expect(byChannel["flaky"]?["attempts"] == "4")
            #expect(byChannel["broken"]?["state"] == "dead" && byChannel["broken"]?["attempts"] == "3")
            #expect(byChannel["broken"]?["last_status"] == "503")
            #expect(byChannel["broken"]?["last_error"] == "HTTP 503: maintenance (gave up after 3 attempts)")
            #expect(byChannel["refused"]?["state"] == "dead" && byChannel["refused"]?["attempts"] == "1")
            #expect(byChannel["refused"]?["last_error"] == "HTTP 400: invalid_payload")
            #expect(fx.sink.requests.filter { $0.path == "/broken" }.count == 3)
            // The same event each time: retries keep the event id.
            #expect(
                Set(fx.sink.requests.filter { $0.path == "/flaky" }.compactMap { $0.header("Idempotency-Key") }).count
                    == 1)
        }
    }

    @Test func sinkDownForAWhileThenBackGetsEveryNotification() async throws {
        let routing = OutboxFixture.yaml(
            """
            channels:
              hook: {type: webhook, url: "SINK/hook", secret_env: HOOK_SECRET, max_attempts: 100}
            routes:
              high: [hook]
            """)
        try await OutboxFixture.with(routing: routing) { fx in
            try await fx.sink.stop()
            try await fx.recorder.record((0..<30).map { OutboxFixture.scored("h\($0)", .high) })
            try await fx.whileDispatching([fx.dispatcher()]) {
                // Down for at least 3 s and until every row has failed at least twice.
                let downSince = ContinuousClock.now
                try await fx.waitFor(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE attempts >= 2", equals: 30)
                try await Task.sleep(until: downSince + .seconds(3))
                #expect(
                    try await fx.count("SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'")
                        == 0)
                #expect(
                    try await fx.count(
                        "SELECT count(*) AS n FROM notification_deliveries WHERE last_error LIKE 'network error%'")
                        == 30)
                try await fx.sink.restart()
                try await fx.waitFor(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'", equals: 30)
            }
            #expect(
                try await fx.count("SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'") == 30)
            #expect(Set(fx.sink.requests.compactMap { $0.header("Idempotency-Key") }).count == 30)
        }
    }

    @Test func twoDispatchersDeliverEachRowOnce() async throws {
        let routing = OutboxFixture.yaml(
            """
            channels:
              hook: {type: webhook, url: "SINK/hook", secret_env: HOOK_SECRET}
            routes:
              high: [hook]
            """)
        try await OutboxFixture.with(responder: { _, _ in .delayed(.milliseconds(5), .status(200)) }, routing: routing)
        { fx in
            try await fx.recorder.record((0..<300).map { OutboxFixture.scored("h\($0)", .high) })
            try await fx.whileDispatching([fx.dispatcher(owner: "replica-a"), fx.dispatcher(owner: "replica-b")]) {
                try await fx.waitFor(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'", equals: 300)
            }
            let keys = fx.sink.requests.compactMap { $0.header("Idempotency-Key") }
            #expect(keys.count == 300)
            #expect(Set(keys).count == 300)
        }
    }

    @Test func aDeadReplicasLeaseExpiresAndAnotherDelivers() async throws {
        let routing = OutboxFixture.yaml(
            """
            channels:
              hook: {type: webhook, url: "SINK/hook", secret_env: HOOK_SECRET}
            routes:
              high: [hook]
            """)
        try await OutboxFixture.with(routing: routing) { fx in
            try await fx.recorder.record((0..<5).map { OutboxFixture.scored("h\($0)", .high) })
            // What a replica killed mid-delivery leaves behind: rows leased to it, attempt counted, no outcome.
            try await fx.database.execute(
                """
                UPDATE notification_deliveries SET state = 'delivering', lease_owner = 'killed-replica',
                    lease_until = now() + interval '2 seconds', attempts = 1
                """)
            try await fx.whileDispatching([fx.dispatcher(owner: "survivor")]) {
                try await fx.waitFor(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'", equals: 5)
            }
            #expect(try await fx.count("SELECT count(*) AS n FROM notification_deliveries WHERE attempts = 2") == 5)
            #expect(fx.sink.requests.count == 5)
        }
    }

    @Test func aUsersAlertsAreGroupedIntoOneFollowUp() async throws {
        let routing = OutboxFixture.yaml(
            """
            channels:
              hook: {type: webhook, url: "SINK/hook", secret_env: HOOK_SECRET}
            routes:
              critical:
                channels: [hook]
                group_window: 3s
            """)
        try await OutboxFixture.with(routing: routing) { fx in
            for index in 0..<4 {
                try await fx.recorder.record([OutboxFixture.scored("c\(index)", .critical, user: "card-owner")])
            }
            try await fx.recorder.record([OutboxFixture.scored("other", .critical, user: "someone-else")])
            let kinds = try await fx.database.query(
                "SELECT event_type, cardinality(alert_ids) AS n FROM notification_deliveries ORDER BY created_at, event_type"
            )
            #expect(
                kinds.map { "\($0["event_type"] ?? "")×\($0["n"] ?? "")" }.sorted()
                    == ["alert.created×1", "alert.created×1", "alert.followup×3"])
            try await fx.whileDispatching([fx.dispatcher()]) {
                try await fx.waitFor(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'", equals: 3)
            }
            let bodies = try fx.sink.requests.map { request in
                try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            }
            let followUp = try #require(bodies.first { $0["type"] as? String == "alert.followup" })
            let alerts = try #require((followUp["data"] as? [String: Any])?["alerts"] as? [[String: Any]])
            #expect(alerts.count == 3)
            #expect(bodies.filter { $0["type"] as? String == "alert.created" }.count == 2)
        }
    }

    @Test func hourlyCapHoldsFurtherAlertsInOneLaterFollowUp() async throws {
        try await OutboxFixture.with(routing: Self.hourlyCapOfTwo) { fx in
            for index in 0..<5 {
                try await fx.recorder.record([OutboxFixture.scored("h\(index)", .high, user: "card-owner")])
            }
            #expect(
                try await fx.count(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE event_type = 'alert.created'") == 2)
            let held = try #require(
                try await fx.database.query(
                    """
                    SELECT cardinality(alert_ids) AS n, next_attempt_at > now() + interval '50 minutes' AS later
                    FROM notification_deliveries WHERE event_type = 'alert.followup'
                    """
                ).first)
            #expect(try held.int("n") == 3 && held.bool("later") == true)
            try await fx.whileDispatching([fx.dispatcher()]) {
                try await fx.waitFor(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'", equals: 2)
            }
            #expect(fx.sink.requests.count == 2)
            #expect(
                try await fx.count("SELECT count(*) AS n FROM notification_deliveries WHERE state = 'pending'") == 1)
        }
    }

    @Test func legitimateDecisionResolvesThePagerDutyIncident() async throws {
        try await OutboxFixture.with(routing: Self.webhookAndPager) { fx in
            try await fx.recorder.record([OutboxFixture.scored("c1", .critical), OutboxFixture.scored("c2", .critical)])
            let ids = try await fx.database.query("SELECT alert_id FROM alerts ORDER BY transaction_id").compactMap {
                $0["alert_id"]
            }
            let reviews = ReviewDecisions(database: fx.database, policy: ReviewPolicy())
            _ = try await reviews.decide(
                ReviewDecideRequest(alertID: ids[0], decision: .legitimate, note: "", analyst: "ana"))
            _ = try await reviews.decide(ReviewDecideRequest(alertID: ids[1], decision: .fraud, note: "", analyst: "ana"))
            #expect(
                try await fx.count(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE event_type = 'alert.resolved'") == 1)
            try await fx.whileDispatching([fx.dispatcher()]) {
                try await fx.waitFor(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'", equals: 5)
            }
            let pager = try fx.sink.requests.filter { $0.path == "/pagerduty" }.map { request in
                try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            }
            #expect(pager.count == 3)
            let actions = pager.map { "\($0["event_action"] as? String ?? "")/\($0["dedup_key"] as? String ?? "")" }
            #expect(actions.filter { $0.hasPrefix("resolve/") } == ["resolve/\(ids[0])"])
            // The resolve went out after its trigger.
            #expect(actions.firstIndex(of: "trigger/\(ids[0])")! < actions.firstIndex(of: "resolve/\(ids[0])")!)
        }
    }
}

/// A thread-safe call counter for sink responders.
final class CallCounter: Sendable {
    private let count = Mutex(0)

    /// Returns the current count and increments it.
    func next() -> Int {
        count.withLock { value in
            defer { value += 1 }; return value
        }
    }

    var value: Int { count.withLock { $0 } }
}
