import Domain
import Foundation
import Stores
import Wire

/// The analysts' review queue over the `alerts` table: filtered pages of alerts (`Alerts/ListReviews`) and the
/// SQL and row mapping the review API (``ReviewService``) shares.
struct ReviewQueue: Sendable {
    let database: PostgresClient

    /// The columns ``alert(from:)`` and ``item(from:policy:)`` read, over `alerts a` joined with `predictions p`.
    static let columns = """
        a.alert_id, a.status, COALESCE(a.reasons, '[]'::jsonb) AS reasons,
        COALESCE(a.model_version, p.model_version) AS alert_model, a.decision_note, a.decided_by,
        CASE WHEN a.claim_expires_at > now() THEN a.claimed_by END AS live_claimed_by,
        CASE WHEN a.claim_expires_at > now() THEN (extract(epoch FROM a.claim_expires_at) * 1000)::bigint END
            AS claim_ms,
        GREATEST(extract(epoch FROM now() - a.created_at), 0)::bigint AS age_s,
        (extract(epoch FROM a.created_at) * 1000)::bigint AS created_ms,
        (extract(epoch FROM a.decided_at) * 1000)::bigint AS decided_ms,
        p.transaction_id, p.user_id, (extract(epoch FROM p.occurred_at) * 1000)::bigint AS occurred_ms, p.amount,
        p.currency, p.merchant_id, p.merchant_category, p.channel, p.latitude, p.longitude, p.country,
        p.isolation_forest, p.autoencoder, p.ensemble, p.is_anomaly, p.risk_level, p.degraded, p.request_id,
        (extract(epoch FROM p.scored_at) * 1000)::bigint AS scored_ms
        """

    func list(_ request: ListReviewsRequest) async throws -> ListReviewsResponse {
        let risks = RiskLevel.allCases.filter { $0 >= (request.minRisk ?? .low) }.map(\.rawValue)
        let status: String? =
            switch request.status {
            case .pending: "pending"
            case .confirmedFraud: "confirmed_fraud"
            case .legitimate: "legitimate"
            default: nil
            }
        let limit = request.limit == 0 ? 50 : min(Int(request.limit), 500)
        let filters: [PostgresValue?] = [
            PostgresValue("{\(risks.joined(separator: ","))}"), status.map { PostgresValue($0) },
            PostgresValue(Int64(request.minAgeSeconds)),
        ]
        let condition = """
            a.risk_level = ANY($1::text[]) AND ($2::text IS NULL OR a.status = $2)
            AND a.created_at <= now() - make_interval(secs => $3::bigint)
            """
        // Ids first, then the join for the page only (see ``ReviewService/listAlerts(_:context:)``).
        let rows = try await database.query(
            """
            SELECT \(Self.columns)
            FROM (
                SELECT a.alert_id FROM alerts a WHERE \(condition)
                ORDER BY a.created_at, a.alert_id LIMIT $4 OFFSET $5
            ) AS page
            JOIN alerts a USING (alert_id) JOIN \(PredictionPartitions.alerted) p USING (transaction_id)
            ORDER BY a.created_at, a.alert_id
            """, filters + [PostgresValue(limit), PostgresValue(Int(request.offset))])
        // The total from the counter tables (``AlertCounts``): bounded by an hour of alerts, not by all of them.
        let statuses =
            "(CASE WHEN $2::text IS NULL THEN '{pending,confirmed_fraud,legitimate}'::text[] ELSE ARRAY[$2] END)"
        let count = AlertCounts.countBefore(
            risk: "r", statuses: statuses, cutoff: "now() - make_interval(secs => $3::bigint)", inclusive: true)
        let total = try await database.query(
            "SELECT COALESCE(sum(\(count)), 0)::bigint AS n FROM unnest($1::text[]) AS r", filters)
        return ListReviewsResponse(
            alerts: try rows.map(Self.alert(from:)), total: UInt64(try total.first?.int64("n") ?? 0))
    }

    static func alert(from row: PostgresRow) throws -> Alert {
        let reasons = try JSONDecoder().decode([Reason].self, from: Data((try row.string("reasons") ?? "[]").utf8))
        let transaction = Transaction(
            transactionID: try row.string("transaction_id") ?? "", userID: try row.string("user_id") ?? "",
            timestampMillis: try row.int64("occurred_ms") ?? 0, amount: try row.double("amount") ?? 0,
            currency: try row.string("currency") ?? "USD", merchantID: try row.string("merchant_id"),
            merchantCategory: try row.string("merchant_category"),
            channel: (try row.string("channel")).flatMap(Channel.init(rawValue:)), latitude: try row.double("latitude"),
            longitude: try row.double("longitude"), country: try row.string("country"))
        let score = Score(
            transactionID: transaction.transactionID, isolationForest: try row.double("isolation_forest") ?? 0,
            autoencoder: try row.double("autoencoder") ?? 0, ensemble: try row.double("ensemble") ?? 0,
            isAnomaly: try row.bool("is_anomaly") ?? false,
            riskLevel: RiskLevel(rawValue: try row.string("risk_level") ?? "") ?? .medium, reasons: reasons,
            modelVersion: try row.string("alert_model") ?? "")
        let status: AlertStatus =
            switch try row.string("status") {
            case "confirmed_fraud": .confirmedFraud
            case "legitimate": .legitimate
            default: .pending
            }
        var decision: ReviewDecision?
        if status != .pending {
            decision = ReviewDecision(
                decision: status == .confirmedFraud ? .fraud : .legitimate, note: try row.string("decision_note") ?? "",
                analyst: try row.string("decided_by") ?? "", decidedAtMillis: try row.int64("decided_ms") ?? 0)
        }
        return Alert(
            alertID: try row.string("alert_id") ?? "",
            scored: ScoredTransaction(
                transaction: transaction, score: score, degraded: try row.bool("degraded") ?? false,
                requestID: try row.string("request_id") ?? "", scoredAtMillis: try row.int64("scored_ms") ?? 0),
            status: status, createdAtMillis: try row.int64("created_ms") ?? 0, channels: [.reviewQueue],
            decision: decision)
    }

    // MARK: review items (the review API's view of an alert)

    /// Orders by risk, highest first; for `ORDER BY` over `alerts a`.
    static let riskRank = "CASE a.risk_level WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END"

    /// The SLA interval of `a.risk_level`, reading the four SLA minutes from parameters `$first`…`$first+3`
    /// (critical, high, medium, low; pass ``slaParameters(_:)``).
    static func slaInterval(from first: Int) -> String {
        """
        make_interval(mins => (CASE a.risk_level WHEN 'critical' THEN $\(first)::int \
        WHEN 'high' THEN $\(first + 1)::int WHEN 'medium' THEN $\(first + 2)::int ELSE $\(first + 3)::int END))
        """
    }

    /// The parameters ``slaInterval(from:)`` reads.
    static func slaParameters(_ policy: ReviewPolicy) -> [PostgresValue?] {
        [RiskLevel.critical, .high, .medium, .low].map { PostgresValue(policy.sla($0)) }
    }

    /// A row of ``columns`` as the review API shows it: claim, age and SLA state.
    static func item(from row: PostgresRow, policy: ReviewPolicy) throws -> ReviewItem {
        let alert = try alert(from: row)
        let age = UInt64(max(0, try row.int64("age_s") ?? 0))
        let sla = policy.sla(alert.scored.score.riskLevel)
        return ReviewItem(
            alert: alert, claimedBy: try row.string("live_claimed_by") ?? "",
            claimExpiresAtMillis: try row.int64("claim_ms") ?? 0, ageSeconds: age,
            slaBreached: alert.status == .pending && age > UInt64(sla) * 60, slaMinutes: UInt32(sla))
    }

    /// One alert as a review item; `NOT_FOUND` when there is none.
    static func item(id: Int64, in database: some PostgresQuerying, policy: ReviewPolicy) async throws -> ReviewItem {
        let rows = try await database.query(
            """
            SELECT \(columns) FROM alerts a JOIN \(PredictionPartitions.alerted) p USING (transaction_id)
            WHERE a.alert_id = $1
            """,
            [PostgresValue(id)])
        guard let row = rows.first else { throw RPCError(code: .notFound, message: "no alert \(id)") }
        return try item(from: row, policy: policy)
    }

    /// The decision an alert status stands for.
    static func decision(status: String?) -> Decision {
        switch status {
        case "confirmed_fraud": .fraud
        case "legitimate": .legitimate
        default: .unspecified
        }
    }
}

/// What ``ReviewQueue`` needs to read: the client itself, or one transaction of it.
protocol PostgresQuerying: Sendable {
    func query(_ sql: String, _ parameters: [PostgresValue?]) async throws -> PostgresRows
}

extension PostgresClient: PostgresQuerying {}
extension PostgresTransaction: PostgresQuerying {}
