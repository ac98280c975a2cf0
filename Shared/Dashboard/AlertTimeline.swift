import Detection
import Domain
import Foundation

/// Alerts per hour by risk over the last 24 hours, drawn as an SVG time series on the Overview.
///
/// Drawn from `GET /stats`' `alerts_by_hour`: the alerts service reads them from its hourly counter table, so the
/// chart is exact whatever the number of alerts and costs the page nothing beyond the `/stats` call it makes anyway.
struct AlertTimeline: Sendable {
    /// Hours charted, the current one included.
    static let hours = 24
    /// Line colours per risk level (the pages' badge colours).
    static let colors = ["low": "#2e7d32", "medium": "#b7791f", "high": "#d55e00", "critical": "#9b1c1c"]

    var svg: String
    var note: String

    /// Charts `counts` (alerts per UTC hour and risk level) of the ``hours`` hours up to the one holding `now`;
    /// counts of other hours, or with an unreadable hour, are left out.
    init(counts: [APIDocuments.HourCount], now: Date) {
        let currentHour = Int64((now.timeIntervalSince1970 * 1000).rounded(.down)) / 3_600_000
        var series: [String: [Double]] = [:]
        var total = 0
        for count in counts {
            guard let start = RFC3339.parseMillis(count.hour) else { continue }
            let hoursAgo = Int(currentHour - start / 3_600_000)
            guard (0..<Self.hours).contains(hoursAgo) else { continue }
            series[count.riskLevel, default: Array(repeating: 0, count: Self.hours)][Self.hours - 1 - hoursAgo] +=
                Double(count.count)
            total += count.count
        }
        let levels = RiskLevel.allCases.map(\.rawValue).filter { series[$0] != nil }
        svg = EvaluationCharts.lineChart(
            levels.map { level in
                EvaluationCharts.Series(
                    name: level,
                    points: (series[level] ?? []).enumerated().map {
                        CurvePoint(x: Double($0.offset - (Self.hours - 1)), y: $0.element, threshold: 0)
                    })
            },
            colors: levels.map { Self.colors[$0] ?? "#333" }, title: "Alerts per hour by risk",
            xLabel: "hours ago (0 = the current hour, UTC)", yLabel: "alerts", xRange: Double(1 - Self.hours)...0,
            width: 720, height: 240)
        note = "\(DashboardFormat.integer(total)) alerts in the last \(Self.hours) hours."
    }
}
