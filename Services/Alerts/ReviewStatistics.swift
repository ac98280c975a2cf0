import Domain
import Stores
import Wire

/// The review and notification figures of `/stats`, over every alert recorded: precision and false-positive rate of
/// decided alerts, backlog and SLA breaches per risk, time to decision, deliveries per channel and state.
struct ReviewStatistics: Sendable {
    let database: PostgresClient
    let policy: ReviewPolicy

    func compute() async throws -> ReviewStatsResponse {
        let decided = try await database.query(
            """
            SELECT COALESCE(sum(n) FILTER (WHERE status = 'confirmed_fraud'), 0)::bigint AS fraud,
                COALESCE(sum(n) FILTER (WHERE status = 'legitimate'), 0)::bigint AS legitimate
            FROM alert_totals WHERE status <> 'pending'
            """)
        let times = try await database.query(AlertCounts.decisionTimes, ReviewQueue.slaParameters(policy))
        let deliveries = try await database.query(
            "SELECT channel, state, count(*) AS n FROM notification_deliveries GROUP BY channel, state ORDER BY 1, 2")
        let overrides = try await database.query("SELECT count(*) AS n FROM decision_overrides")

        var response = ReviewStatsResponse()
        if let row = decided.first {
            response.decidedFraud = UInt64(try row.int64("fraud") ?? 0)
            response.decidedLegitimate = UInt64(try row.int64("legitimate") ?? 0)
        }
        if let row = times.first {
            response.medianSecondsToDecision = try row.double("median") ?? 0
            response.p90SecondsToDecision = try row.double("p90") ?? 0
            response.decidedAfterSLA = UInt64(try row.int64("late") ?? 0)
        }
        let total = response.decidedFraud + response.decidedLegitimate
        if total > 0 {
            response.precision = Double(response.decidedFraud) / Double(total)
            response.falsePositiveRate = Double(response.decidedLegitimate) / Double(total)
        }
        let (backlog, breached) = try await pendingByRisk()
        response.backlogByRisk = RiskLevel.allCases.map { RiskCount(riskLevel: $0, count: backlog[$0] ?? 0) }
        response.slaBreachedByRisk = RiskLevel.allCases.map { RiskCount(riskLevel: $0, count: breached[$0] ?? 0) }
        response.deliveries = try deliveries.map { row in
            ChannelStateCount(
                channel: try row.string("channel") ?? "", state: try row.string("state") ?? "",
                count: UInt64(try row.int64("n") ?? 0))
        }
        response.deadLetters = response.deliveries.filter { $0.state == "dead" }.reduce(0) { $0 + $1.count }
        response.overrides = UInt64(try overrides.first?.int64("n") ?? 0)
        return response
    }

    /// Pending alerts per risk level, and how many of them are past their review SLA (levels without any are
    /// absent). From the counter tables (``AlertCounts``): the cost does not grow with the backlog.
    func pendingByRisk() async throws -> (backlog: [RiskLevel: UInt64], breached: [RiskLevel: UInt64]) {
        let cutoff = """
            now() - make_interval(mins => (CASE r WHEN 'critical' THEN $1::int WHEN 'high' THEN $2::int \
            WHEN 'medium' THEN $3::int ELSE $4::int END))
            """
        let rows = try await database.query(
            """
            SELECT r AS risk_level,
                \(AlertCounts.total(risk: "r", statuses: "'{pending}'::text[]"))::bigint AS n,
                \(AlertCounts.countBefore(risk: "r", statuses: "'{pending}'::text[]", cutoff: cutoff))::bigint
                    AS breached
            FROM unnest('{medium,high,critical}'::text[]) AS r
            """, ReviewQueue.slaParameters(policy))
        var backlog: [RiskLevel: UInt64] = [:]
        var breached: [RiskLevel: UInt64] = [:]
        for row in rows {
            guard let risk = RiskLevel(rawValue: try row.string("risk_level") ?? ""),
                let n = try row.int64("n"), n > 0
            else { continue }
            backlog[risk] = UInt64(n)
            breached[risk] = UInt64(max(0, try row.int64("breached") ?? 0))
        }
        return (backlog, breached)
    }
}
