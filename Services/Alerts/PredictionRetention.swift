import Logging
import Metrics
import ServiceLifecycle
import Stores

/// Keeps `predictions` bounded (`TXAD_PREDICTION_RETENTION_DAYS`): once the schema is migrated, and then every
/// `interval`, creates the daily partitions of low-risk predictions ahead and drops the days older than the
/// retention (``PredictionPartitions/maintain(database:retentionDays:)``). Alerts, their predictions and
/// decisions are never dropped. Several replicas may run it: creating and dropping are idempotent.
struct PredictionRetention: Service {
    let database: PostgresClient
    let retentionDays: Int
    let interval: Duration
    /// Whether the schema is migrated; maintenance waits for it.
    let isReady: @Sendable () -> Bool
    let logger: Logger
    private let dropped = Counter(label: "txad_prediction_partitions_dropped_total")

    init(
        database: PostgresClient, retentionDays: Int, interval: Duration, isReady: @escaping @Sendable () -> Bool,
        logger: Logger
    ) {
        self.database = database
        self.retentionDays = retentionDays
        self.interval = interval
        self.isReady = isReady
        self.logger = logger
    }

    func run() async throws {
        await repeatWhenReady(isReady) {
            do {
                let result = try await PredictionPartitions.maintain(database: database, retentionDays: retentionDays)
                // The alert counters' per-backend shards of past hours, folded (``AlertCounts``).
                _ = try await AlertCounts.fold(database: database)
                dropped.increment(by: result.dropped)
                if result.created + result.dropped > 0 {
                    logger.info(
                        "prediction partitions maintained",
                        metadata: ["created": "\(result.created)", "dropped": "\(result.dropped)"])
                }
                return interval
            } catch {
                logger.warning("prediction partition maintenance failed; will retry", metadata: ["error": "\(error)"])
                return .seconds(60)
            }
        }
    }
}
