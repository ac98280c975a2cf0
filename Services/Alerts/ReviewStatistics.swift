import Domain
import Stores
import Wire

/// The review and notification figures of `/stats`, over every alert recorded: precision and false-positive rate of
/// decided alerts, backlog and SLA breaches per risk, time to decision, deliveries per channel and state.
struct ReviewStatistics: Sendable {
    let database: PostgresClient
    let policy: ReviewPolicy

    func compute() async throws -> ReviewStatsResponse {
        let sla = ReviewQueue.slaParameters(policy)
        let decided = try await database.query(
            """
            SELECT count(*) FILTER (WHERE status = 'confirmed_fraud') AS fraud,
                count(*) FILTER (WHERE status = 'legitimate') AS legitimate,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - created_at)) AS median,
                percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - created_at)) AS p90,
                count(*) FILTER (WHERE decided_at > created_at + \(ReviewQueue.slaInterval(from: 1))) AS late
            FROM alerts a WHERE status <> 'pending' AND decided_at IS NOT NULL
            """, sla)
        let pending = try await Self.pending(database: database, policy: policy)
        let deliveries = try await database.query(
            "SELECT channel, state, count(*) AS n FROM notification_deliveries GROUP BY channel, state ORDER BY 1, 2")
        let overrides = try await database.query("SELECT count(*) AS n FROM decision_overrides")

        var response = ReviewStatsResponse()
        if let row = decided.first {
            response.decidedFraud = UInt64(try row.int64("fraud") ?? 0)
            response.decidedLegitimate = UInt64(try row.int64("legitimate") ?? 0)
            response.medianSecondsToDecision = try row.double("median") ?? 0
            response.p90SecondsToDecision = try row.double("p90") ?? 0
            response.decidedAfterSLA = UInt64(try row.int64("late") ?? 0)
        }
        let total = response.decidedFraud + response.decidedLegitimate
        if total > 0 {
            response.precision = Double(response.decidedFraud) / Double(total)
            response.falsePositiveRate = Double(response.decidedLegitimate) / Double(total)
        }
        response.backlogByRisk = RiskLevel.allCases.map { RiskCount(riskLevel: $0, count: pending.backlog[$0] ?? 0) }
        response.slaBreachedByRisk = RiskLevel.allCases.map {
            RiskCount(riskLevel: $0, count: pending.breached[$0] ?? 0)
        }
        response.deliveries = try deliveries.map { row in
            ChannelStateCount(
                channel: try row.string("channel") ?? "", state: try row.string("state") ?? "",
                count: UInt64(try row.int64("n") ?? 0))
        }
        response.deadLetters = response.deliveries.filter { $0.state == "dead" }.reduce(0) { $0 + $1.count }
        response.overrides = UInt64(try overrides.first?.int64("n") ?? 0)
        return response
    }

    /// Pending alerts per risk level, and those of them past the review SLA (`/stats` and the review gauges).
    static func pending(
        database: PostgresClient, policy: ReviewPolicy
    ) async throws -> (backlog: [RiskLevel: UInt64], breached: [RiskLevel: UInt64]) {
        let rows = try await database.query(
            """
            SELECT risk_level, count(*) AS n,
                count(*) FILTER (WHERE created_at < now() - \(ReviewQueue.slaInterval(from: 1))) AS breached
            FROM alerts a WHERE status = 'pending' GROUP BY risk_level
            """, ReviewQueue.slaParameters(policy))
        var backlog: [RiskLevel: UInt64] = [:]
        var breached: [RiskLevel: UInt64] = [:]
        for row in rows {
            guard let risk = RiskLevel(rawValue: try row.string("risk_level") ?? "") else { continue }
            backlog[risk] = UInt64(try row.int64("n") ?? 0)
            breached[risk] = UInt64(try row.int64("breached") ?? 0)
        }
        return (backlog, breached)
    }
}
