import Foundation
import Stores

/// Population stability of a version's scores against its training data.
///
/// Each model's calibrated score is its training-score empirical CDF (``EmpiricalCDF``), so on the training rows it
/// is uniform on [0, 1]: the training distribution over ten equal buckets is 10 % each, and the population stability
/// index of live scores is `PSI = Σ (live − 0.1) · ln(live / 0.1)` over the buckets (empty buckets count as 0.01 %).
/// Rule of thumb: below 0.1 stable, 0.1–0.25 moderate shift, above 0.25 a large shift. The same function serves the
/// inference metrics (`txad_inference_score_psi`) and `txad models drift V` (from the `predictions` table).
public enum ScoreDrift {
    /// Equal-width buckets over [0, 1].
    public static let buckets = 10

    /// The bucket of a calibrated score (values outside [0, 1] are clamped; NaN goes to bucket 0).
    public static func bucket(_ score: Double) -> Int {
        guard score.isFinite else { return 0 }
        return min(buckets - 1, max(0, Int(score * Double(buckets))))
    }

    /// PSI of `counts` (one per bucket) against the uniform training distribution; nil without observations.
    public static func psi(_ counts: [Int]) -> Double? {
        let total = counts.reduce(0, +)
        guard total > 0, counts.count == buckets else { return nil }
        let expected = 1 / Double(buckets)
        return counts.reduce(0.0) { sum, count in
            let actual = max(Double(count) / Double(total), 0.0001)
            return sum + (actual - expected) * log(actual / expected)
        }
    }

    /// Drift of one version over a window of recorded predictions.
    public struct Report: Sendable, Hashable {
        public var version: String
        public var predictions: Int
        /// Per-bucket counts of the calibrated Isolation Forest and autoencoder scores.
        public var isolationForestCounts: [Int]
        public var autoencoderCounts: [Int]
        public var isolationForestPSI: Double?
        public var autoencoderPSI: Double?
        /// Share of predictions at risk ≥ medium (what becomes an alert), and flagged anomalous.
        public var alertRate: Double
        public var anomalyRate: Double
    }

    /// The report for `version` over the predictions scored in the last `seconds` (`predictions` table, written by
    /// the alerts service).
    public static func report(client: PostgresClient, version: String, sinceSeconds seconds: Int)
        async throws(RegistryError) -> Report
    {
        try BundleRegistry.validate(version: version)
        guard seconds > 0 else { throw RegistryError(.invalidArgument, "--since must be a positive duration") }
        do {
            let rows = try await client.query(
                """
                SELECT least(\(buckets - 1), greatest(0, floor(isolation_forest * \(buckets))))::int AS if_bucket,
                    least(\(buckets - 1), greatest(0, floor(autoencoder * \(buckets))))::int AS ae_bucket,
                    count(*) AS n, count(*) FILTER (WHERE risk_level <> 'low') AS alerts,
                    count(*) FILTER (WHERE is_anomaly) AS anomalies
                FROM predictions
                WHERE model_version = $1 AND scored_at >= now() - make_interval(secs => $2)
                GROUP BY 1, 2
                """, [PostgresValue(version), PostgresValue(seconds)])
            var forest = [Int](repeating: 0, count: buckets)
            var network = [Int](repeating: 0, count: buckets)
            var total = 0
            var alerts = 0
            var anomalies = 0
            for row in rows {
                let n = try row.int("n") ?? 0
                forest[min(buckets - 1, max(0, try row.int("if_bucket") ?? 0))] += n
                network[min(buckets - 1, max(0, try row.int("ae_bucket") ?? 0))] += n
                total += n
                alerts += try row.int("alerts") ?? 0
                anomalies += try row.int("anomalies") ?? 0
            }
            return Report(
                version: version, predictions: total, isolationForestCounts: forest, autoencoderCounts: network,
                isolationForestPSI: psi(forest), autoencoderPSI: psi(network),
                alertRate: total == 0 ? 0 : Double(alerts) / Double(total),
                anomalyRate: total == 0 ? 0 : Double(anomalies) / Double(total))
        } catch let error as RegistryError {
            throw error
        } catch let error as StoreError {
            if error.sqlState == "42P01" {
                throw RegistryError(
                    .unavailable, "no predictions table in this database; drift reads the alerts service's predictions")
            }
            throw BundleRegistry.map(error)
        } catch {
            throw RegistryError(.storeFailure, "drift: \(error)")
        }
    }
}
