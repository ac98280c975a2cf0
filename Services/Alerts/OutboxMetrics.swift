import Domain
import Metrics
import ServiceLifecycle
import Stores

/// The alerts service's review and notification metrics (README "Metrics"):
///
/// | name | type | labels |
/// |---|---|---|
/// | `txad_review_backlog` | gauge | `risk_level` (medium, high, critical) |
/// | `txad_review_sla_breaches` | gauge | `risk_level` |
/// | `txad_notification_deliveries_total` | counter | `channel`, `outcome` (delivered, retry, dead) |
/// | `txad_notification_dead_letters_total` | counter | `channel` |
/// | `txad_notification_outbox_pending` | gauge | — |
/// | `txad_notification_outbox_oldest_pending_age_seconds` | gauge | — |
///
/// Counters count this replica's delivery attempts; the gauges are read from PostgreSQL every `interval`, so they
/// describe the whole database and every replica reports the same value (aggregate them with `max`). Every series
/// exists from the start, at 0.
struct OutboxMetrics: Service {
    let statistics: ReviewStatistics
    let channels: [String]
    let interval: Duration
    let isReady: @Sendable () -> Bool

    /// The risk levels an alert can have.
    static let alertLevels: [RiskLevel] = [.medium, .high, .critical]
    /// The outcomes of a delivery attempt.
    static let outcomes = ["delivered", "retry", "dead"]

    /// Counts one delivery attempt of `channel` (and a dead letter when `outcome` is `dead`).
    static func countAttempt(channel: String, outcome: String) {
        Counter(label: "txad_notification_deliveries_total", dimensions: [("channel", channel), ("outcome", outcome)])
            .increment()
        if outcome == "dead" {
            Counter(label: "txad_notification_dead_letters_total", dimensions: [("channel", channel)]).increment()
        }
    }

    func run() async throws {
        // Every configured channel's counters exist from the start, at 0, so rates and increases see the first one.
        for channel in channels {
            for outcome in Self.outcomes {
                Counter(
                    label: "txad_notification_deliveries_total",
                    dimensions: [("channel", channel), ("outcome", outcome)]
                ).increment(by: 0)
            }
            Counter(label: "txad_notification_dead_letters_total", dimensions: [("channel", channel)]).increment(by: 0)
        }
        // The gauges exist from the start too (0 until the first read), then follow the database.
        for level in Self.alertLevels {
            Gauge(label: "txad_review_backlog", dimensions: [("risk_level", level.rawValue)]).record(0)
            Gauge(label: "txad_review_sla_breaches", dimensions: [("risk_level", level.rawValue)]).record(0)
        }
        Gauge(label: "txad_notification_outbox_pending").record(0)
        Gauge(label: "txad_notification_outbox_oldest_pending_age_seconds").record(0)
        var read = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if isReady() {
                do {
                    try await refresh()
                    read = true
                } catch {
                    read = false
                }
            }
            // Until the first read succeeds (schema still migrating), look again soon.
            try? await Task.sleep(for: read ? interval : .milliseconds(250))
        }
    }

    /// Reads the backlog, SLA breaches and outbox state once and records them.
    func refresh() async throws {
        let (backlog, breached) = try await statistics.pendingByRisk()
        for level in Self.alertLevels {
            let dimensions = [("risk_level", level.rawValue)]
            Gauge(label: "txad_review_backlog", dimensions: dimensions).record(Double(backlog[level] ?? 0))
            Gauge(label: "txad_review_sla_breaches", dimensions: dimensions).record(Double(breached[level] ?? 0))
        }
        // Age: since a never-attempted row fell due, or since a retried row was created.
        let rows = try await statistics.database.query(
            """
            SELECT count(*) AS pending,
                   coalesce(extract(epoch FROM now() - min(CASE WHEN attempts = 0 THEN next_attempt_at ELSE created_at END)
                       FILTER (WHERE attempts > 0 OR next_attempt_at <= now())), 0)::float8 AS oldest
            FROM notification_deliveries WHERE state IN ('pending', 'delivering')
            """)
        guard let row = rows.first else { return }
        Gauge(label: "txad_notification_outbox_pending").record(Double(try row.int64("pending") ?? 0))
        Gauge(label: "txad_notification_outbox_oldest_pending_age_seconds").record(
            max(0, try row.double("oldest") ?? 0))
    }
}
