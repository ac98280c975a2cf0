import Metrics
import Prometheus

/// Prometheus metrics of one process: swift-metrics bootstrapped onto a Prometheus registry.
///
/// Libraries record through swift-metrics (`Counter`, `Timer`, …); ``exposition()`` renders the registry in the
/// Prometheus text format for `GET /metrics`.
public struct ServiceMetrics: Sendable {
    /// The registry every metric of this process is collected in.
    public let registry: PrometheusCollectorRegistry

    /// Creates the registry and bootstraps swift-metrics with it. Call once per process.
    public static func bootstrap() -> ServiceMetrics {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        ]
        MetricsSystem.bootstrap(factory)
        return ServiceMetrics(registry: registry)
    }

    /// A registry not bootstrapped into swift-metrics (tests, or a second server in one process).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
