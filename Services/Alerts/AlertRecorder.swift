import Domain
import ServiceKit
import Stores

/// Writes scored transactions to PostgreSQL: every prediction, plus an alert row for those at risk ≥ medium.
///
/// Idempotent by transaction id (`ON CONFLICT DO NOTHING`), so replaying a spool or a retried call never
/// duplicates a row. One call is one transaction: when it returns, everything in it is committed.
struct AlertRecorder: Sendable {
    let database: PostgresClient

    static let insertPrediction = """
        INSERT INTO predictions (transaction_id, user_id, occurred_at, amount, currency, merchant_id,
            merchant_category, channel, latitude, longitude, country, isolation_forest, autoencoder, ensemble,
            is_anomaly, risk_level, model_version, degraded, request_id, scored_at)
        VALUES ($1, $2, $3::timestamptz, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
            $20::timestamptz)
        ON CONFLICT (transaction_id) DO NOTHING
        """

    static let insertAlert = """
        INSERT INTO alerts (transaction_id, risk_level, ensemble, reasons, model_version)
        VALUES ($1, $2, $3, $4::jsonb, $5)
        ON CONFLICT (transaction_id) DO NOTHING
        """

    /// Records `items` in one transaction.
    func record(_ items: [ScoredTransaction]) async throws {
        guard !items.isEmpty else { return }
        let predictions = items.map(Self.predictionParameters)
        let alerts = items.filter { $0.score.riskLevel >= .medium }.map(Self.alertParameters)
        try await database.withTransaction { transaction in
            try await transaction.executeBatch(Self.insertPrediction, predictions)
            if !alerts.isEmpty { try await transaction.executeBatch(Self.insertAlert, alerts) }
        }
    }

    static func predictionParameters(_ item: ScoredTransaction) -> [PostgresValue?] {
        let t = item.transaction
        let s = item.score
        func optional(_ text: String?) -> PostgresValue? { text.map { PostgresValue($0) } }
        func optional(_ number: Double?) -> PostgresValue? { number.map { PostgresValue($0) } }
        var values: [PostgresValue?] = [
            PostgresValue(t.transactionID), PostgresValue(t.userID),
            PostgresValue(RFC3339.format(millis: t.timestampMillis)), PostgresValue(t.amount), PostgresValue(t.currency),
        ]
        values += [
            optional(t.merchantID), optional(t.merchantCategory), optional(t.channel?.rawValue), optional(t.latitude),
            optional(t.longitude), optional(t.country),
        ]
        values += [
            PostgresValue(s.isolationForest), PostgresValue(s.autoencoder), PostgresValue(s.ensemble),
            PostgresValue(s.isAnomaly), PostgresValue(s.riskLevel.rawValue), PostgresValue(s.modelVersion),
            PostgresValue(item.degraded), PostgresValue(item.requestID),
            PostgresValue(RFC3339.format(millis: item.scoredAtMillis)),
        ]
        return values
    }

    static func alertParameters(_ item: ScoredTransaction) -> [PostgresValue?] {
        let s = item.score
        return [
            PostgresValue(item.transaction.transactionID), PostgresValue(s.riskLevel.rawValue),
            PostgresValue(s.ensemble), PostgresValue(reasonsJSON(s.reasons)), PostgresValue(s.modelVersion),
        ]
    }

    static func reasonsJSON(_ reasons: [Reason]) -> String {
        "["
            + reasons.map {
                "{\"code\":\(JSONText.quoted($0.code)),\"feature\":\(JSONText.quoted($0.feature)),"
                    + "\"value\":\(JSONText.number($0.value)),\"text\":\(JSONText.quoted($0.text))}"
            }.joined(separator: ",") + "]"
    }
}
