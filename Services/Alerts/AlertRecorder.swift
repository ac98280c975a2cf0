import Domain
import Notifications
import ServiceKit
import Stores

/// Writes scored transactions to PostgreSQL: every prediction, plus an alert row for those at risk ≥ medium.
///
/// Idempotent by transaction id (`ON CONFLICT DO NOTHING`; predictions by transaction id, risk level and time —
/// see ``PredictionPartitions``), so replaying a spool or a retried call never duplicates a row, and a transaction
/// id repeated within one call is recorded once. One call is one transaction of at most three statements
/// (predictions, the alerts that reference them, and the notifications `routing` asks for those alerts — see
/// ``NotificationOutbox``), whatever the number of items: when it returns, everything in it is committed. The spool replays through the same call, so replayed alerts get their notifications the same way.
struct AlertRecorder: Sendable {
    let database: PostgresClient
    let routing: RoutingConfiguration

    init(database: PostgresClient, routing: RoutingConfiguration = .reviewQueueOnly) {
        self.database = database
        self.routing = routing
    }

    static let insertPredictions = UnnestInsert<ScoredTransaction>(
        into: "predictions", conflictKey: nil,
        columns: [
            .init("transaction_id", "text") { item in PostgresValue(item.transaction.transactionID) },
            .init("user_id", "text") { item in PostgresValue(item.transaction.userID) },
            .init("occurred_at", "timestamptz") { item in
                PostgresValue(RFC3339.format(millis: item.transaction.timestampMillis))
            },
            .init("amount", "float8") { item in PostgresValue(item.transaction.amount) },
            .init("currency", "text") { item in PostgresValue(item.transaction.currency) },
            .init("merchant_id", "text") { item in item.transaction.merchantID.map { PostgresValue($0) } },
            .init("merchant_category", "text") { item in
                item.transaction.merchantCategory.map { PostgresValue($0) }
            },
            .init("channel", "text") { item in item.transaction.channel.map { PostgresValue($0.rawValue) } },
            .init("latitude", "float8") { item in item.transaction.latitude.map { PostgresValue($0) } },
            .init("longitude", "float8") { item in item.transaction.longitude.map { PostgresValue($0) } },
            .init("country", "text") { item in item.transaction.country.map { PostgresValue($0) } },
            .init("isolation_forest", "float8") { item in PostgresValue(item.score.isolationForest) },
            .init("autoencoder", "float8") { item in PostgresValue(item.score.autoencoder) },
            .init("ensemble", "float8") { item in PostgresValue(item.score.ensemble) },
            .init("is_anomaly", "boolean") { item in PostgresValue(item.score.isAnomaly) },
            .init("risk_level", "text") { item in PostgresValue(item.score.riskLevel.rawValue) },
            .init("model_version", "text") { item in PostgresValue(item.score.modelVersion) },
            .init("degraded", "boolean") { item in PostgresValue(item.degraded) },
            .init("request_id", "text") { item in PostgresValue(item.requestID) },
            .init("scored_at", "timestamptz") { item in PostgresValue(RFC3339.format(millis: item.scoredAtMillis)) },
        ])

    static let insertAlerts = UnnestInsert<ScoredTransaction>(
        into: "alerts", conflictKey: "transaction_id",
        columns: [
            .init("transaction_id", "text") { item in PostgresValue(item.transaction.transactionID) },
            .init("risk_level", "text") { item in PostgresValue(item.score.riskLevel.rawValue) },
            .init("ensemble", "float8") { item in PostgresValue(item.score.ensemble) },
            .init("reasons", "jsonb") { item in PostgresValue(reasonsJSON(item.score.reasons)) },
            .init("model_version", "text") { item in PostgresValue(item.score.modelVersion) },
        ])

    /// Records `items` in one transaction.
    func record(_ items: [ScoredTransaction]) async throws {
        guard !items.isEmpty else { return }
        let predictions = Self.insertPredictions.parameters(items)
        let alertItems = items.filter { $0.score.riskLevel >= .medium }
        let alerts = alertItems.isEmpty ? nil : Self.insertAlerts.parameters(alertItems)
        let routing = self.routing
        try await database.withTransaction { transaction in
            try await transaction.execute(Self.insertPredictions.sql, predictions)
            guard let alerts else { return }
            guard routing.hasRoutes else {
                try await transaction.execute(Self.insertAlerts.sql, alerts)
                return
            }
            // Only the alerts this statement inserted: an alert already recorded has its notifications already.
            let inserted = try await transaction.query(Self.insertAlerts.sql + " RETURNING alert_id, transaction_id", alerts)
            var byTransaction: [String: ScoredTransaction] = [:]
            for item in alertItems { byTransaction[item.transaction.transactionID] = byTransaction[item.transaction.transactionID] ?? item }
            let fresh = try inserted.compactMap { row -> NotificationOutbox.NewAlert? in
                guard let id = try row.int64("alert_id"), let transactionID = try row.string("transaction_id"),
                    let item = byTransaction[transactionID]
                else { return nil }
                return NotificationOutbox.NewAlert(alertID: id, item: item)
            }
            try await NotificationOutbox.enqueue(fresh, routing: routing, in: transaction)
        }
    }

    static func reasonsJSON(_ reasons: [Reason]) -> String {
        var json = JSONWriter()
        json.reasons(reasons)
        return json.text
    }
}
