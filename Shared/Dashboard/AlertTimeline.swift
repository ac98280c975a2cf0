import Detection
import Domain
import Foundation

/// Alerts per hour by risk over the last 24 hours, drawn as an SVG time series on the Overview.
///
/// Counted from `GET /alerts` pages (the API has no per-hour counts): at most ``maximumAlerts`` of the newest
/// alerts are read, and the note says so when the day had more.
struct AlertTimeline: Sendable {
    /// Most alerts read for one timeline (10 pages of the API's largest size).
    static let maximumAlerts = 2000
    /// Line colours per risk level (the pages' badge colours).
    static let colors = ["low": "#2e7d32", "medium": "#b7791f", "high": "#d55e00", "critical": "#9b1c1c"]

    var svg: String
    var note: String

    /// Counts `alerts` (created within the 24 hours before `now`) per hour and risk level.
    init(alerts: [APIDocuments.Alert], now: Date, truncated: Bool) {
        let nowMillis = Int64(now.timeIntervalSince1970 * 1000)
        var counts: [String: [Double]] = [:]
        for alert in alerts {
            guard let created = RFC3339.parseMillis(alert.createdAt) else { continue }
            let hoursAgo = Int((nowMillis - created) / 3_600_000)
            guard (0..<24).contains(hoursAgo) else { continue }
            counts[alert.riskLevel, default: Array(repeating: 0, count: 24)][23 - hoursAgo] += 1
        }
        let levels = RiskLevel.allCases.map(\.rawValue).filter { counts[$0] != nil }
        let series = levels.map { level in
            EvaluationCharts.Series(
                name: level,
                points: (counts[level] ?? []).enumerated().map {
                    CurvePoint(x: Double($0.offset - 23), y: $0.element, threshold: 0)
                })
        }
        svg = EvaluationCharts.lineChart(
            series, colors: levels.map { Self.colors[$0] ?? "#333" }, title: "Alerts per hour by risk",
            xLabel: "hours ago (0 = the current hour)", yLabel: "alerts", xRange: -23...0, width: 720, height: 240)
        let total = alerts.count
        note =
            truncated
            ? "Drawn from the newest \(DashboardFormat.integer(total)) alerts of the last 24 hours; earlier hours "
                + "had more than shown."
            : "\(DashboardFormat.integer(total)) alerts in the last 24 hours."
    }
}

/// The Overview's timeline, recounted at most every ``maxAge`` so the page and its refreshes stay cheap.
actor AlertTimelineCache {
    private let maxAge: TimeInterval
    private var cached: (at: Date, timeline: AlertTimeline)?

    init(maxAge: TimeInterval = 10) { self.maxAge = maxAge }

    /// The cached timeline, or one counted by `load` (newest alerts since a time → alerts and whether capped).
    func timeline(
        now: Date = Date(), load: @Sendable (_ since: Date) async -> (alerts: [APIDocuments.Alert], truncated: Bool)?
    ) async -> AlertTimeline? {
        if let cached, now.timeIntervalSince(cached.at) < maxAge { return cached.timeline }
        guard let loaded = await load(now.addingTimeInterval(-24 * 3600)) else { return cached?.timeline }
        let timeline = AlertTimeline(alerts: loaded.alerts, now: now, truncated: loaded.truncated)
        cached = (now, timeline)
        return timeline
    }
}
