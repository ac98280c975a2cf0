import Detection
import Registry

/// The SVG picture of a backtest: alerts per day, live next to replayed.
enum BacktestChart {
    static func svg(_ report: BacktestReport) -> String {
        let bars = report.days.flatMap { day in
            [
                EvaluationCharts.Bar(
                    label: "\(day.date) live", value: Double(day.liveAlerts), valueText: formatCount(day.liveAlerts),
                    color: "#8a8f98"),
                EvaluationCharts.Bar(
                    label: "\(day.date) \(report.version)", value: Double(day.backtestAlerts),
                    valueText: formatCount(day.backtestAlerts), color: "#d9534f"),
            ]
        }
        return EvaluationCharts.bars(
            bars, title: "Alerts per day (risk ≥ medium): live vs \(report.version)", width: 640)
    }
}
