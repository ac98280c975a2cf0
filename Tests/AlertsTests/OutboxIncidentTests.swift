import Domain
import Foundation
import HTTPSink
import Notifications
import Stores
import Testing
import Wire

@testable import AlertsService

/// Migration 12's rules against a real PostgreSQL and a real sink: the hourly cap counts what was sent, a grouped
/// PagerDuty follow-up joins its user's incident and is resolved only when all of its alerts are legitimate, and
/// idle dispatchers wake on the outbox's `NOTIFY`.
@Suite(.timeLimit(.minutes(5)))
struct OutboxIncidentTests {
    static let pagerWithWindow = OutboxFixture.yaml(
        """
        channels:
          pager: {type: pagerduty, url: "SINK/pagerduty", routing_key_env: PD_KEY}
        routes:
          critical:
            channels: [pager]
            group_window: 60m
        """)

    @Test func theHourlyCapCountsSentNotificationsNotCreatedOnes() async throws {
        try await OutboxFixture.with(routing: NotificationOutboxTests.hourlyCapOfTwo) { fx in
            try await fx.recorder.record([OutboxFixture.scored("s0", .high, user: "card-owner")])
            // Created two hours ago (a follow-up held back, say) but sent ten minutes ago: it counts.
            try await fx.database.execute(
                """
                UPDATE notification_deliveries SET state = 'delivered', created_at = now() - interval '2 hours',
                    next_attempt_at = now() - interval '2 hours', delivered_at = now() - interval '10 minutes'
                """)
            try await fx.recorder.record([OutboxFixture.scored("s1", .high, user: "card-owner")])
            try await fx.recorder.record([OutboxFixture.scored("s2", .high, user: "card-owner")])
            let rows = try await fx.database.query(
                """
                SELECT p.transaction_id, d.event_type,
                       d.next_attempt_at BETWEEN now() + interval '49 minutes' AND now() + interval '51 minutes' AS held
                FROM notification_deliveries d JOIN alerts a USING (alert_id) JOIN predictions p USING (transaction_id)
                ORDER BY p.transaction_id
                """)
            #expect(
                rows.map { "\($0["transaction_id"] ?? "") \($0["event_type"] ?? "") \($0["held"] ?? "")" } == [
                    "s0 alert.created f", "s1 alert.created f", "s2 alert.followup t",
                ])
            // A dead notification was never sent: it does not count.
            try await fx.database.execute(
                "UPDATE notification_deliveries SET state = 'dead' WHERE event_type <> 'alert.followup'")
            try await fx.database.execute("DELETE FROM notification_deliveries WHERE event_type = 'alert.followup'")
            try await fx.recorder.record([OutboxFixture.scored("s3", .high, user: "card-owner")])
            #expect(
                try await fx.count(
                    """
                    SELECT count(*) AS n FROM notification_deliveries d JOIN alerts a USING (alert_id)
                    WHERE a.transaction_id = 's3' AND d.event_type = 'alert.created'
                    """) == 1)
        }
    }

    @Test func aPagerDutyFollowUpJoinsTheUsersIncidentAndResolvesWhenAllItsAlertsAreLegitimate() async throws {
        try await OutboxFixture.with(routing: Self.pagerWithWindow) { fx in
            for index in 0..<3 {
                try await fx.recorder.record([OutboxFixture.scored("p\(index)", .critical, user: "card-owner")])
            }
            let ids = try await fx.database.query("SELECT alert_id FROM alerts ORDER BY transaction_id").compactMap {
                $0["alert_id"]
            }
            // The window's follow-up falls due now instead of in an hour.
            try await fx.database.execute(
                "UPDATE notification_deliveries SET next_attempt_at = now() WHERE event_type = 'alert.followup'")
            let reviews = ReviewDecisions(database: fx.database, policy: ReviewPolicy())
            try await fx.whileDispatching([fx.dispatcher()]) {
                try await fx.waitFor(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'", equals: 2)
                // The incident carries p0, p1, p2: deciding two of them legitimate resolves nothing yet.
                for id in ids.prefix(2) {
                    _ = try await reviews.decide(
                        ReviewDecideRequest(alertID: id, decision: .legitimate, note: "", analyst: "ana"))
                }
                #expect(
                    try await fx.count(
                        "SELECT count(*) AS n FROM notification_deliveries WHERE event_type = 'alert.resolved'") == 0)
                _ = try await reviews.decide(
                    ReviewDecideRequest(alertID: ids[2], decision: .legitimate, note: "", analyst: "ana"))
                try await fx.waitFor(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'", equals: 3)
            }
            let pager = try fx.sink.requests.map { request in
                try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            }
            let actions = pager.map { "\($0["event_action"] as? String ?? "")/\($0["dedup_key"] as? String ?? "")" }
            #expect(actions == ["trigger/\(ids[0])", "trigger/\(ids[0])", "resolve/\(ids[0])"])
            // The two triggers went out in one batch, in either order: the follow-up is the one with two alerts.
            let grouped = pager.compactMap {
                ((($0["payload"] as? [String: Any])?["custom_details"] as? [String: Any])?["alert_ids"] as? [String])
            }
            #expect(grouped.sorted { $0.count < $1.count } == [[ids[0]], [ids[1], ids[2]]])
        }
    }

    @Test func anIncidentWithAFraudulentAlertIsNeverResolved() async throws {
        try await OutboxFixture.with(routing: Self.pagerWithWindow) { fx in
            for index in 0..<2 {
                try await fx.recorder.record([OutboxFixture.scored("f\(index)", .critical, user: "card-owner")])
            }
            let ids = try await fx.database.query("SELECT alert_id FROM alerts ORDER BY transaction_id").compactMap {
                $0["alert_id"]
            }
            let reviews = ReviewDecisions(database: fx.database, policy: ReviewPolicy())
            _ = try await reviews.decide(
                ReviewDecideRequest(alertID: ids[1], decision: .fraud, note: "", analyst: "ana"))
            _ = try await reviews.decide(
                ReviewDecideRequest(alertID: ids[0], decision: .legitimate, note: "", analyst: "ana"))
            #expect(
                try await fx.count(
                    "SELECT count(*) AS n FROM notification_deliveries WHERE event_type = 'alert.resolved'") == 0)
            // Overriding the fraud decision to legitimate completes the incident.
            _ = try await reviews.decide(
                ReviewDecideRequest(
                    alertID: ids[1], decision: .legitimate, note: "customer confirmed", analyst: "bo", override: true))
            let resolves = try await fx.database.query(
                "SELECT alert_id, incident_alert_id FROM notification_deliveries WHERE event_type = 'alert.resolved'")
            #expect(
                resolves.map { "\($0["alert_id"] ?? "")/\($0["incident_alert_id"] ?? "")" } == ["\(ids[0])/\(ids[0])"])
        }
    }

    @Test func anIdleDispatcherWakesOnTheOutboxNotify() async throws {
        try await OutboxFixture.with(routing: NotificationOutboxTests.webhookAndPager) { fx in
            var configuration = OutboxFixture.fast
            configuration.idleInterval = .seconds(3600)
            try await fx.whileDispatching([fx.dispatcher(configuration: configuration)]) {
                // Each alert is recorded once the previous one arrived, i.e. while every worker waits for an hour.
                for index in 1...3 {
                    try await fx.recorder.record([OutboxFixture.scored("w\(index)", .high)])
                    _ = try await fx.sink.waitForRequests(index, timeout: .seconds(60))
                }
            }
            #expect(fx.sink.requests.count == 3)
        }
    }
}
