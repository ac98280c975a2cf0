import Domain
import Foundation
import ServiceKit

/// The Overview page: volume, anomaly rate, alerts by risk, review backlog (from `GET /stats`) and the active
/// model version (from `GET /models/info`). Every live number carries a key; ``refreshJSON`` gives the same
/// numbers formatted, for the script that refreshes them in place.
struct OverviewPage {
    /// One headline number.
    struct Card {
        var key: String
        var label: String
        var value: String
        var hint: String
    }

    /// Alerts of one risk level.
    struct RiskRow {
        var key: String
        var level: String
        var count: String
    }

    /// Notification deliveries of one channel by state.
    struct DeliveryRow {
        var channel: String
        var states: String
        var failing: Bool
    }

    var cards: [Card]
    var reviewCards: [Card]
    var deliveries: [DeliveryRow]
    var hasDeliveries: Bool
    var reviewProblem: String?
    var timelineSVG: String
    var timelineNote: String
    var alertsByRisk: [RiskRow]
    var predictionsByRisk: [RiskRow]
    var statsProblem: String?
    var modelVersion: String
    var modelCreated: String
    var modelProblem: String?
    var refreshURL: String
    var refreshSeconds: Int

    /// The page from the two API answers; `timeline` adds the alerts-per-hour chart of the 24 hours up to `now`.
    init(
        stats: DashboardReply, model: DashboardReply, timeline: Bool = false, now: Date = Date(),
        refreshSeconds: Int = 5
    ) {
        refreshURL = "/dashboard/overview.json"
        self.refreshSeconds = refreshSeconds
        timelineSVG = ""
        timelineNote = ""
        reviewCards = []
        deliveries = []
        hasDeliveries = false
        reviewProblem = nil
        if stats.status == 200, let s = APIDocuments.decode(APIDocuments.Stats.self, from: stats.body) {
            cards = Self.cards(s)
            if timeline {
                let chart = AlertTimeline(counts: s.alertsByHour ?? [], now: now)
                timelineSVG = chart.svg
                timelineNote = chart.note
            }
            if let review = s.review {
                reviewCards = Self.reviewCards(review)
                deliveries = review.deliveries.keys.sorted().map { channel in
                    let states = review.deliveries[channel] ?? [:]
                    return DeliveryRow(
                        channel: channel,
                        states: states.keys.sorted().map { "\($0) \(DashboardFormat.integer(states[$0] ?? 0))" }
                            .joined(separator: " · "),
                        failing: (states["failed"] ?? 0) + (states["dead"] ?? 0) > 0)
                }
                hasDeliveries = !deliveries.isEmpty
            } else {
                reviewProblem = "The alerts service does not offer the review API (an older replica): no SLA figures."
            }
            alertsByRisk = Self.rows(s.alertsByRisk, prefix: "alerts")
            predictionsByRisk = Self.rows(s.predictionsByRisk, prefix: "predictions")
            statsProblem = nil
        } else {
            cards = []
            alertsByRisk = []
            predictionsByRisk = []
            let problem = APIDocuments.problem(in: stats)
            statsProblem = "\(problem.title): \(problem.detail)"
        }
        if model.status == 200, let info = APIDocuments.decode(APIDocuments.ModelInfo.self, from: model.body) {
            modelVersion = info.version
            modelCreated = info.created
            modelProblem = nil
        } else {
            modelVersion = "—"
            modelCreated = ""
            let problem = APIDocuments.problem(in: model)
            modelProblem = "\(problem.title): \(problem.detail)"
        }
    }

    /// `{"stats":{key: text, …},"model_version":…,"problem":…}`: what the refresh script writes into the page.
    var refreshJSON: String {
        var out = JSONWriter(capacity: 512)
        out.raw("{\"stats\":{")
        let values =
            (cards + reviewCards).map { ($0.key, $0.value) }
            + (alertsByRisk + predictionsByRisk).map { ($0.key, $0.count) }
        for (i, (key, value)) in values.enumerated() {
            if i > 0 { out.raw(",") }
            out.string(key)
            out.raw(":")
            out.string(value)
        }
        out.raw("},\"model_version\":")
        out.string(modelVersion)
        out.raw(",\"problem\":")
        if let problem = statsProblem ?? modelProblem { out.string(problem) } else { out.raw("null") }
        out.raw("}")
        // `<` and `>` only occur inside strings: as escapes, the document stays inert even if a browser sniffs it.
        return out.text.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
    }

    private static func cards(_ s: APIDocuments.Stats) -> [Card] {
        [
            Card(
                key: "predictions", label: "Predictions", value: DashboardFormat.integer(s.predictions),
                hint: "scored since the alerts service started counting"),
            Card(
                key: "anomaly_rate", label: "Anomaly rate", value: DashboardFormat.percent(s.anomalyRate),
                hint: "\(DashboardFormat.integer(s.anomalies)) flagged as anomalies"),
            Card(
                key: "alerts", label: "Alerts", value: DashboardFormat.integer(s.alerts),
                hint: "medium risk and above"),
            Card(
                key: "review_backlog", label: "Review backlog", value: DashboardFormat.integer(s.reviewBacklog),
                hint: "alerts waiting for a decision"),
            Card(
                key: "alert_precision", label: "Alert precision",
                value: s.reviewed.fraud + s.reviewed.legitimate == 0 ? "—" : DashboardFormat.percent(s.alertPrecision),
                hint: "\(DashboardFormat.integer(s.reviewed.fraud)) fraud, "
                    + "\(DashboardFormat.integer(s.reviewed.legitimate)) legitimate decided"),
            Card(
                key: "spooled", label: "Spooled", value: DashboardFormat.integer(s.spooled),
                hint: "alert records waiting for PostgreSQL"),
        ]
    }

    private static func reviewCards(_ r: APIDocuments.ReviewStats) -> [Card] {
        let pendingBreaches = r.slaBreaches.pendingByRisk.values.reduce(0, +)
        func seconds(_ value: Double?) -> String { value.map { DashboardFormat.duration(seconds: Int($0)) } ?? "—" }
        return [
            Card(
                key: "sla_breached_pending", label: "Past SLA, pending",
                value: DashboardFormat.integer(pendingBreaches),
                hint: RiskLevel.allCases.reversed().compactMap { level in
                    r.slaBreaches.pendingByRisk[level.rawValue].flatMap { $0 > 0 ? "\($0) \(level.rawValue)" : nil }
                }.joined(separator: ", ")),
            Card(
                key: "sla_decided_late", label: "Decided late",
                value: DashboardFormat.integer(r.slaBreaches.decidedLate),
                hint: "decisions made after their SLA"),
            Card(
                key: "time_to_decision", label: "Time to decision", value: seconds(r.timeToDecisionSeconds.median),
                hint: "median; p90 \(seconds(r.timeToDecisionSeconds.p90))"),
            Card(
                key: "dead_letters", label: "Dead letters", value: DashboardFormat.integer(r.deadLetters),
                hint: "notifications given up after every retry"),
        ]
    }

    private static func rows(_ counts: [String: Int], prefix: String) -> [RiskRow] {
        RiskLevel.allCases.reversed().map {
            RiskRow(
                key: "\(prefix)_\($0.rawValue)", level: $0.rawValue,
                count: DashboardFormat.integer(counts[$0.rawValue] ?? 0))
        }
    }
}
