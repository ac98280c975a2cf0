import Stores

/// How a challenger scored against the champion on the same recorded traffic (`model_shadow_scores`), and on
/// alerts analysts decided: `txad models compare CHAMPION CHALLENGER --since 24h`.
public struct ModelComparison: Sendable, Hashable {
    /// Agreement at one of the champion's risk levels.
    public struct LevelAgreement: Sendable, Hashable {
        /// The champion's risk level.
        public var level: String
        /// Transactions the champion put at this level.
        public var count: Int
        /// Of those, how many the challenger put at the same level.
        public var agreeing: Int
        /// `agreeing / count`.
        public var agreement: Double { count == 0 ? 0 : Double(agreeing) / Double(count) }
    }

    public var champion: String
    public var challenger: String
    /// Transactions both scored in the window.
    public var transactions: Int
    /// Pearson correlation of the ensemble scores (nil with fewer than 2 rows or no variance).
    public var correlation: Double?
    /// Share of transactions at risk ≥ medium (what becomes an alert), per version.
    public var championAlertRate: Double
    public var challengerAlertRate: Double
    /// Per champion risk level, low to critical.
    public var levels: [LevelAgreement]
    /// Decided alerts (confirmed fraud or legitimate) among the window's transactions.
    public var decidedAlerts: Int
    /// Precision on decided alerts: of the decided transactions each version put at risk ≥ medium, the share
    /// confirmed as fraud (nil when it flagged none of them). The challenger is judged only on what the champion
    /// alerted, since only those reached analysts.
    public var championPrecision: Double?
    public var challengerPrecision: Double?

    /// `challengerAlertRate − championAlertRate`.
    public var alertRateDifference: Double { challengerAlertRate - championAlertRate }

    /// Compares `challenger` with `champion` over the shadow scores recorded in the last `seconds`.
    ///
    /// - Throws: `.invalidArgument` for a bad version or window; `.unavailable`.
    public static func compute(
        client: PostgresClient, champion: String, challenger: String, sinceSeconds seconds: Int
    ) async throws(RegistryError) -> ModelComparison {
        try BundleRegistry.validate(version: champion)
        try BundleRegistry.validate(version: challenger)
        guard seconds > 0 else { throw RegistryError(.invalidArgument, "--since must be a positive duration") }
        let parameters = [PostgresValue(champion), PostgresValue(challenger), PostgresValue(seconds)]
        let window = """
            FROM model_shadow_scores s WHERE s.champion_version = $1 AND s.challenger_version = $2
              AND s.scored_at >= now() - make_interval(secs => $3)
            """
        do {
            let summary = try await client.query(
                """
                SELECT count(*) AS n, corr(champion_score, challenger_score) AS correlation,
                    coalesce(avg((champion_risk <> 'low')::int), 0) AS champion_rate,
                    coalesce(avg((challenger_risk <> 'low')::int), 0) AS challenger_rate
                \(window)
                """, parameters)
            let levels = try await client.query(
                """
                SELECT champion_risk AS level, count(*) AS n, count(*) FILTER (WHERE challenger_risk = champion_risk)
                    AS agreeing
                \(window) GROUP BY champion_risk
                """, parameters)
            var result = ModelComparison(
                champion: champion, challenger: challenger, transactions: try summary.first?.int("n") ?? 0,
                correlation: try summary.first?.double("correlation"),
                championAlertRate: try summary.first?.double("champion_rate") ?? 0,
                challengerAlertRate: try summary.first?.double("challenger_rate") ?? 0, levels: [], decidedAlerts: 0,
                championPrecision: nil, challengerPrecision: nil)
            var byLevel: [String: LevelAgreement] = [:]
            for row in levels {
                let level = try row.string("level") ?? ""
                byLevel[level] = LevelAgreement(
                    level: level, count: try row.int("n") ?? 0, agreeing: try row.int("agreeing") ?? 0)
            }
            result.levels = ["low", "medium", "high", "critical"].map {
                byLevel[$0] ?? LevelAgreement(level: $0, count: 0, agreeing: 0)
            }
            // Precision needs the alerts table (alerts service schema); without it there is nothing decided.
            let hasAlerts = try await client.query("SELECT to_regclass('alerts') IS NOT NULL AS present")
            if try hasAlerts.first?.bool("present") == true {
                let decided = try await client.query(
                    """
                    SELECT count(*) AS decided,
                        count(*) FILTER (WHERE s.champion_risk <> 'low') AS champion_flagged,
                        count(*) FILTER (WHERE s.champion_risk <> 'low' AND a.status = 'confirmed_fraud')
                            AS champion_hits,
                        count(*) FILTER (WHERE s.challenger_risk <> 'low') AS challenger_flagged,
                        count(*) FILTER (WHERE s.challenger_risk <> 'low' AND a.status = 'confirmed_fraud')
                            AS challenger_hits
                    FROM model_shadow_scores s JOIN alerts a ON a.transaction_id = s.transaction_id
                    WHERE s.champion_version = $1 AND s.challenger_version = $2
                      AND s.scored_at >= now() - make_interval(secs => $3)
                      AND a.status IN ('confirmed_fraud', 'legitimate')
                    """, parameters)
                if let row = decided.first {
                    result.decidedAlerts = try row.int("decided") ?? 0
                    result.championPrecision = ratio(try row.int("champion_hits"), try row.int("champion_flagged"))
                    result.challengerPrecision = ratio(
                        try row.int("challenger_hits"), try row.int("challenger_flagged"))
                }
            }
            return result
        } catch let error as RegistryError {
            throw error
        } catch let error as StoreError {
            throw BundleRegistry.map(error)
        } catch {
            throw RegistryError(.storeFailure, "compare: \(error)")
        }
    }

    private static func ratio(_ hits: Int?, _ total: Int?) -> Double? {
        guard let hits, let total, total > 0 else { return nil }
        return Double(hits) / Double(total)
    }
}
