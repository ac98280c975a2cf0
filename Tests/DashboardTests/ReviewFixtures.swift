import Foundation

@testable import Dashboard

/// The review API's JSON as the gateway writes it (`ReviewJSON`), for the review page tests.
enum ReviewFixtures {
    static func q(_ s: String) -> String { DashboardFixtures.quoted(s) }

    /// A scored transaction.
    static func scored(
        id: String, user: String = "u-7", amount: Double = 812.5, at: String = "2026-12-03T10:00:00.000Z",
        risk: String = "high", reason: String = "amount is 14.2× this user's average", merchant: String = "electronics"
    ) -> String {
        "{\"transaction\":{\"transaction_id\":\(q(id)),\"user_id\":\(q(user)),\"timestamp\":\(q(at)),"
            + "\"amount\":\(amount),\"currency\":\"EUR\",\"merchant_id\":\"m-1\",\"merchant_category\":\(q(merchant)),"
            + "\"channel\":\"online\",\"latitude\":48.1,\"longitude\":11.5,\"country\":\"DE\"},\"is_anomaly\":true,"
            + "\"risk_level\":\(q(risk)),\"scores\":{\"isolation_forest\":0.61,\"autoencoder\":0.72,\"ensemble\":0.93},"
            + "\"reasons\":[{\"code\":\"AMOUNT_HIGH\",\"feature\":\"amount_ratio_user\",\"value\":14.2,\"text\":\(q(reason))}],"
            + "\"model_version\":\"v1\",\"degraded\":false,\"scored_at\":\(q(at))}"
    }

    /// One alert (`ReviewItem`); `decidedBy` adds a decision.
    static func alert(
        id: String = "7", status: String = "pending", risk: String = "high", user: String = "u-7",
        claimedBy: String? = nil, decidedBy: String? = nil, note: String = "card holder confirmed",
        ageSeconds: Int = 600, breached: Bool = false, reason: String = "amount is 14.2× this user's average",
        createdAt: String = "2026-12-03T10:00:01.000Z"
    ) -> String {
        let claim = claimedBy.map { "{\"analyst\":\(q($0)),\"expires_at\":\"2026-12-03T10:15:00.000Z\"}" } ?? "null"
        let decision =
            decidedBy.map {
                "{\"decision\":\(q(status == "legitimate" ? "legitimate" : "fraud")),\"note\":\(q(note)),"
                    + "\"analyst\":\(q($0)),\"decided_at\":\"2026-12-03T10:20:00.000Z\"}"
            } ?? "null"
        return
            "{\"alert_id\":\(q(id)),\"status\":\(q(status)),\"risk_level\":\(q(risk)),\"created_at\":\(q(createdAt)),"
            + "\"age_seconds\":\(ageSeconds),\"sla_minutes\":15,\"sla_breached\":\(breached),\"claim\":\(claim),"
            + "\"decision\":\(decision),\"prediction\":\(scored(id: "t-" + id, user: user, risk: risk, reason: reason))}"
    }

    /// `GET /alerts/{id}` with two recent transactions, a failed delivery and an override.
    static func detail(
        id: String = "7", status: String = "pending", user: String = "u-7", decidedBy: String? = nil,
        hostile: String? = nil
    ) -> String {
        let alert = alert(id: id, status: status, user: user, decidedBy: decidedBy, note: hostile ?? "ok")
        let text = hostile ?? "slack"
        return String(alert.dropLast())
            + ",\"recent_transactions\":[\(scored(id: "t-1", user: user, amount: 20, at: "2026-12-02T09:00:00.000Z", merchant: hostile ?? "grocery")),"
            + "\(scored(id: "t-" + id, user: user))],"
            + "\"deliveries\":[{\"delivery_id\":\"d1\",\"channel\":\(q(text)),\"channel_type\":\"slack\","
            + "\"event_type\":\"alert.created\",\"state\":\"failed\",\"attempts\":3,\"last_status\":500,"
            + "\"last_error\":\(q(hostile ?? "HTTP 500")),\"created_at\":\"2026-12-03T10:00:02.000Z\",\"delivered_at\":null}],"
            + "\"overrides\":[{\"analyst\":\(q(hostile ?? "bob")),\"at\":\"2026-12-03T10:10:00.000Z\",\"from\":\"fraud\","
            + "\"to\":\"legitimate\",\"note\":\(q(hostile ?? "called the customer"))}]}"
    }

    /// A reply with `json`.
    static func reply(_ status: Int = 200, _ json: String) -> DashboardReply {
        DashboardReply(status: status, body: Array(json.utf8))
    }

    /// A 422 problem naming `field`.
    static func invalid(_ field: String, _ reason: String) -> String {
        "{\"type\":\"about:blank\",\"title\":\"Invalid request\",\"status\":422,\"detail\":\(q(field + " " + reason)),"
            + "\"errors\":[{\"field\":\(q(field)),\"reason\":\(q(reason))}]}"
    }
}
