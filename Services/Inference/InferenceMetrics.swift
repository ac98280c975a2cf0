import Domain
import Metrics
import Synchronization

/// The inference service's Prometheus metrics beyond the scored count: predictions by risk level and anomalies
/// (the anomaly-rate alert and dashboard), which model is in service, and reload outcomes.
///
/// - `txad_inference_predictions_total{risk_level}` and `txad_inference_anomalies_total`
/// - `txad_inference_model_loaded` (1 with a model in service, 0 without) and `txad_inference_model_info{model_version}` (1)
/// - `txad_inference_model_reloads_total{result="success|failure"}`
final class InferenceMetrics: Sendable {
    private let byRisk: [RiskLevel: Counter]
    private let anomalies = Counter(label: "txad_inference_anomalies_total")
    private let loaded = Gauge(label: "txad_inference_model_loaded")
    private let reloadSuccesses = Counter(label: "txad_inference_model_reloads_total", dimensions: [("result", "success")])
    private let reloadFailures = Counter(label: "txad_inference_model_reloads_total", dimensions: [("result", "failure")])
    /// The info gauge of the version in service; replaced (and the old one removed) when the version changes.
    private let info = Mutex<(version: String, gauge: Gauge)?>(nil)

    init() {
        var byRisk: [RiskLevel: Counter] = [:]
        for risk in RiskLevel.allCases {
            byRisk[risk] = Counter(label: "txad_inference_predictions_total", dimensions: [("risk_level", risk.rawValue)])
        }
        self.byRisk = byRisk
        reloadSuccesses.increment(by: 0)
        reloadFailures.increment(by: 0)
    }

    /// Counts one call's scores by risk level and anomaly flag.
    func scored(_ scores: [Score]) {
        var counts: [RiskLevel: Int] = [:]
        var anomalous = 0
        for score in scores {
            counts[score.riskLevel, default: 0] += 1
            if score.isAnomaly { anomalous += 1 }
        }
        for (risk, count) in counts { byRisk[risk]?.increment(by: count) }
        if anomalous > 0 { anomalies.increment(by: anomalous) }
    }

    /// Records a reload attempt's outcome.
    func reloaded(success: Bool) {
        (success ? reloadSuccesses : reloadFailures).increment()
    }

    /// Records the version now in service (nil: none).
    func modelChanged(to version: String?) {
        loaded.record(version == nil ? 0 : 1)
        info.withLock { current in
            guard current?.version != version else { return }
            current?.gauge.destroy()
            current = nil
            if let version {
                let gauge = Gauge(label: "txad_inference_model_info", dimensions: [("model_version", version)])
                gauge.record(1)
                current = (version, gauge)
            }
        }
    }
}
