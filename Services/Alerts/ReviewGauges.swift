import Domain
import Logging
import Metrics
import ServiceLifecycle
import Stores

/// Publishes the review queue's state for Prometheus every `interval`, once the schema is migrated:
/// `txad_review_backlog{risk_level}` (pending alerts) and `txad_review_sla_breaches{risk_level}` (pending past the
/// SLA of their level). Every replica reports the same database-wide figures, so rules take `max` across replicas.
struct ReviewGauges: Service {
    let database: PostgresClient
    let policy: ReviewPolicy
    let interval: Duration
    /// Whether the schema is migrated; nothing is published before.
    let isReady: @Sendable () -> Bool
    let logger: Logger

    func run() async throws {
        let backlog = Dictionary(uniqueKeysWithValues: RiskLevel.allCases.map {
            ($0, Gauge(label: "txad_review_backlog", dimensions: [("risk_level", $0.rawValue)]))
        })
        let breaches = Dictionary(uniqueKeysWithValues: RiskLevel.allCases.map {
            ($0, Gauge(label: "txad_review_sla_breaches", dimensions: [("risk_level", $0.rawValue)]))
        })
        await repeatWhenReady(isReady) {
            do {
                let pending = try await ReviewStatistics.pending(database: database, policy: policy)
                for risk in RiskLevel.allCases {
                    backlog[risk]?.record(Double(pending.backlog[risk] ?? 0))
                    breaches[risk]?.record(Double(pending.breached[risk] ?? 0))
                }
            } catch {
                logger.debug("review gauges not refreshed; will retry", metadata: ["error": "\(error)"])
            }
            return interval
        }
    }
}
