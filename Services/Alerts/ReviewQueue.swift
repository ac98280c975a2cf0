import Domain
import Foundation
import Stores
import Wire

/// The analysts' review queue over the `alerts` table: filtered pages of alerts and recorded decisions.
struct ReviewQueue: Sendable {
    let database: PostgresClient

    private static let columns = """
        a.alert_id, a.status, a.reasons, a.model_version AS alert_model, a.decision_note, a.decided_by,
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
        let rows = try await database.query(
            """
            SELECT \(Self.columns) FROM alerts a JOIN predictions p USING (transaction_id)
            WHERE \(condition) ORDER BY a.created_at, a.alert_id LIMIT $4 OFFSET $5
            """, filters + [PostgresValue(limit), PostgresValue(Int(request.offset))])
        let total = try await database.query(
            "SELECT count(*) AS n FROM alerts a WHERE \(condition)", filters)
        return ListReviewsResponse(
            alerts: try rows.map(Self.alert(from:)), total: UInt64(try total.first?.int64("n") ?? 0))
    }

    func decide(_ request: DecideRequest) async throws -> DecideResponse {
        guard let id = Int64(request.alertID) else {
            throw RPCError(code: .invalidArgument, message: "alert_id must be a number, got '\(request.alertID)'")
        }
        let status: String
        switch request.decision.decision {
        case .fraud: status = "confirmed_fraud"
        case .legitimate: status = "legitimate"
        default: throw RPCError(code: .invalidArgument, message: "decision must be fraud or legitimate")
        }
        guard !request.decision.analyst.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "analyst is required: decisions record who made them")
        }
        let updated = try await database.withTransaction { transaction in
            let updated = try await transaction.execute(
                "UPDATE alerts SET status = $1, decision_note = $2, decided_by = $3, decided_at = now() WHERE alert_id = $4",
                [PostgresValue(status), PostgresValue(request.decision.note), PostgresValue(request.decision.analyst),
                 PostgresValue(id)])
            // PagerDuty incidents of an alert decided legitimate are resolved (same dedup_key), atomically with it.
            if updated == 1, status == "legitimate" {
                try await NotificationOutbox.enqueueResolutions(alertID: id, in: transaction)
            }
            return updated
        }
        guard updated == 1 else { throw RPCError(code: .notFound, message: "no alert \(request.alertID)") }
        let rows = try await database.query(
            "SELECT \(Self.columns) FROM alerts a JOIN predictions p USING (transaction_id) WHERE a.alert_id = $1",
            [PostgresValue(id)])
        guard let row = rows.first else { throw RPCError(code: .notFound, message: "no alert \(request.alertID)") }
        return DecideResponse(alert: try Self.alert(from: row))
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
}
