import Metrics
import Prometheus

/// Prometheus metrics of one process: swift-metrics bootstrapped onto a Prometheus registry.
///
/// Libraries record through swift-metrics (`Counter`, `Timer`, …); ``exposition()`` renders the registry in the
/// Prometheus text format for `GET /metrics`, with the process's CPU, memory and file descriptors
/// (``ProcessMetrics``) read at that moment. Metric names follow the Prometheus conventions (base units in the
/// name, `_total` counters): names from libraries are renamed by ``conventionalName(_:_:)``.
public struct ServiceMetrics: Sendable {
    /// The registry every metric of this process is collected in.
    public let registry: PrometheusCollectorRegistry
    private let process: ProcessMetrics

    /// Creates the registry and bootstraps swift-metrics with it. Call once per process.
    public static func bootstrap() -> ServiceMetrics {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        ]
        factory.nameAndLabelSanitizer = { name, labels in conventionalName(name, labels) }
        MetricsSystem.bootstrap(factory)
        return ServiceMetrics(registry: registry)
    }

    /// A registry not bootstrapped into swift-metrics (tests, or a second server in one process).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.process = ProcessMetrics(registry: registry)
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String {
        process.update()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Names that libraries give their metrics (Hummingbird's OpenTelemetry-style `hb.requests`,
    /// `http.server.request.duration`, dotted label names), renamed to Prometheus conventions; txad's own names
    /// pass through unchanged.
    static let renamed: [String: String] = [
        "hb.requests": "txad_http_requests_total",
        "hb.request.errors": "txad_http_request_errors_total",
        "http.server.request.duration": "txad_http_request_duration_seconds",
        "http.server.active_requests": "txad_http_active_requests",
    ]

    static let renamedLabels: [String: String] = [
        "http.route": "route", "http.request.method": "method", "http.response.status_code": "status",
        "error.type": "status",
    ]

    /// The Prometheus name and label names for a swift-metrics label and its dimensions.
    public static func conventionalName(_ name: String, _ labels: [(String, String)]) -> (String, [(String, String)]) {
        func sanitized(_ text: String) -> String {
            String(text.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        }
        let metric = renamed[name] ?? sanitized(name)
        return (metric, labels.map { (renamedLabels[$0.0] ?? sanitized($0.0), $0.1) })
    }
}
