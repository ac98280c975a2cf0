import Domain
import Foundation
import Metrics
import Registry
import Synchronization

/// Counts each version's calibrated scores in ``ScoreDrift`` buckets and publishes, per version, the population
/// stability index against the training distribution (`txad_inference_score_psi{version,model}`) and the live alert
/// rate (`txad_inference_alert_rate{version}`, share at risk ≥ medium). Counts are since the replica started; the
/// champion's and canary's scores are counted as they are answered, the shadow's when its queue is drained.
public final class DriftTracker: Sendable {
    /// One version's counts.
    public struct Counts: Sendable, Hashable {
        public var isolationForest = [Int](repeating: 0, count: ScoreDrift.buckets)
        public var autoencoder = [Int](repeating: 0, count: ScoreDrift.buckets)
        public var total = 0
        public var alerts = 0
        /// Unix milliseconds of the first observation.
        public var firstObservedMillis: Int64 = 0

        /// PSI of each model's scores against training.
        public var isolationForestPSI: Double? { ScoreDrift.psi(isolationForest) }
        public var autoencoderPSI: Double? { ScoreDrift.psi(autoencoder) }
        /// Share at risk ≥ medium.
        public var alertRate: Double { total == 0 ? 0 : Double(alerts) / Double(total) }
    }

    private let counts = Mutex<[String: Counts]>([:])

    /// A tracker with no observations.
    public init() {}

    /// The counts of `version` so far.
    public func counts(of version: String) -> Counts? { counts.withLock { $0[version] } }

    /// Every version's counts so far, by version.
    public func snapshot() -> [String: Counts] { counts.withLock { $0 } }

    /// Adds `scores` (any versions) and updates the gauges of the versions seen.
    func observe(_ scores: [Score]) {
        guard !scores.isEmpty else { return }
        add(scores.lazy.map { ($0.modelVersion, $0.isolationForest, $0.autoencoder, $0.riskLevel != .low) })
    }

    /// Adds the shadow's calibrated scores of one batch (`alerts[i]`: risk ≥ medium) for `version`.
    func observe(version: String, isolationForest: [Double], autoencoder: [Double], alerts: [Bool]) {
        guard !isolationForest.isEmpty else { return }
        add(
            zip(zip(isolationForest, autoencoder), alerts).lazy.map { pair, alert in
                (version, pair.0, pair.1, alert)
            })
    }

    /// Counts each (version, calibrated Isolation Forest, calibrated autoencoder, alert) and records the gauges.
    private func add(_ observations: some Sequence<(String, Double, Double, Bool)>) {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let updated = counts.withLock { counts -> [(String, Counts)] in
            var seen: Set<String> = []
            for (version, forest, network, alert) in observations {
                var entry = counts[version] ?? Counts(firstObservedMillis: now)
                entry.isolationForest[ScoreDrift.bucket(forest)] += 1
                entry.autoencoder[ScoreDrift.bucket(network)] += 1
                entry.total += 1
                if alert { entry.alerts += 1 }
                counts[version] = entry
                seen.insert(version)
            }
            return seen.compactMap { version in counts[version].map { (version, $0) } }
        }
        for (version, entry) in updated {
            if let psi = entry.isolationForestPSI {
                Gauge(
                    label: "txad_inference_score_psi",
                    dimensions: [("version", version), ("model", "isolation_forest")]
                )
                .record(psi)
            }
            if let psi = entry.autoencoderPSI {
                Gauge(label: "txad_inference_score_psi", dimensions: [("version", version), ("model", "autoencoder")])
                    .record(psi)
            }
            Gauge(label: "txad_inference_alert_rate", dimensions: [("version", version)]).record(entry.alertRate)
        }
    }
}
