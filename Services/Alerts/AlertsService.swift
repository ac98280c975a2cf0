import Domain
import Foundation
import Logging
import Metrics
import NIOPosix
import Notifications
import ServiceKit
import ServiceLifecycle
import Stores
import Synchronization
import Wire

/// `txad.v1.Alerts`: durable recording of scored transactions, statistics and the review queue.
///
/// `Record` acknowledges alerts (risk ≥ medium) only once they are durable: committed in PostgreSQL, or — while
/// PostgreSQL is down or its schema not yet migrated — appended and fsync'ed to the local spool, which
/// ``DatabaseMaintainer`` replays in order when the database is back (idempotently, so nothing is duplicated).
public final class AlertsService: Alerts.ServiceProtocol {
    let database: PostgresClient
    private let recorder: AlertRecorder
    private let spool: DurableSpool
    private let schemaReady: Atomic<Bool>
    private let logger: Logger
    let batcher: PredictionBatcher
    /// The analysts' review API (`txad.v1.Reviews`) over the same database; serve it beside this service.
    public let reviews: ReviewService
    /// Which channels hear about which alerts (review queue only without a routing file).
    let routing: RoutingConfiguration
    private let alertsCounter = Counter(label: "txad_alerts_recorded_total")
    private let spooledCounter = Counter(label: "txad_alerts_spooled_total")
    private let spoolGauge = Gauge(label: "txad_alerts_spool_records")

    /// - Parameters:
    ///   - spool: where records go while PostgreSQL cannot take them.
    ///   - reviewPolicy: review SLA per risk level and claim duration.
    ///   - routing: the routing file's channels and routes; notifications are enqueued with the alerts.
    public init(
        database: PostgresClient, spool: DurableSpool, reviewPolicy: ReviewPolicy = ReviewPolicy(),
        routing: RoutingConfiguration = .reviewQueueOnly, logger: Logger
    ) {
        self.database = database
        self.reviews = ReviewService(database: database, policy: reviewPolicy)
        self.routing = routing
        self.recorder = AlertRecorder(database: database, routing: routing)
        self.spool = spool
        self.schemaReady = Atomic(false)
        self.logger = logger
        let recorder = self.recorder
        self.batcher = PredictionBatcher(maximumBatch: 2000) { [spool, logger] batch in
            do {
                try await recorder.record(batch)
            } catch {
                logger.warning("PostgreSQL did not take a prediction batch; spooling it", metadata: ["error": "\(error)"])
                do {
                    let bytes = try RecordRequest(items: batch).serialized()
                    try await NIOThreadPool.singleton.runIfActive { try spool.append([bytes]) }
                } catch {
                    logger.critical("could not spool predictions", metadata: ["error": "\(error)", "items": "\(batch.count)"])
                }
            }
        }
    }

    /// Marks the schema as migrated (set by ``DatabaseMaintainer``); until then alerts go to the spool.
    func setSchemaReady() { schemaReady.store(true, ordering: .releasing) }

    var isSchemaReady: Bool { schemaReady.load(ordering: .acquiring) }

    public func record(_ request: RecordRequest, context: RPCContext) async throws -> RecordResponse {
        let alerts = request.items.filter { $0.score.riskLevel >= .medium }
        let others = request.items.filter { $0.score.riskLevel < .medium }
        var spooled = false
        if !alerts.isEmpty {
            spooled = try await recordDurably(alerts, context: context)
            alertsCounter.increment(by: alerts.count)
        }
        if !others.isEmpty { await batcher.add(others) }
        return RecordResponse(recorded: UInt32(request.items.count), alerts: UInt32(alerts.count), spooled: spooled)
    }

    /// Commits alerts in PostgreSQL or, failing that, in the spool; returns whether they were spooled.
    private func recordDurably(_ items: [ScoredTransaction], context: RPCContext) async throws -> Bool {
        if isSchemaReady {
            do {
                try await recorder.record(items)
                return false
            } catch let error as StoreError where error.code == .unavailable || error.code == .shutDown {
                context.logger.warning("PostgreSQL unavailable; spooling alerts", metadata: ["error": "\(error)"])
            }
        }
        let bytes = try RecordRequest(items: items).serialized()
        let spool = self.spool
        do {
            try await NIOThreadPool.singleton.runIfActive { try spool.append([bytes]) }
        } catch {
            throw RPCError(code: .unavailable, message: "alerts could not be made durable: \(error)")
        }
        spooledCounter.increment(by: items.count)
        return true
    }

    /// Replays the spool into PostgreSQL; stops at the first record it cannot write.
    func replaySpool() async throws -> Int {
        try await spool.replay { bytes in
            let request = try RecordRequest(serializedBytes: bytes)
            try await recorder.record(request.items)
        }
    }

    var spooledRecords: Int { spool.recordCount }

    /// Publishes the spool's depth as `txad_alerts_spool_records` (the "spool not draining" alert watches it).
    func publishSpoolDepth() { spoolGauge.record(spool.recordCount) }

    public func stats(_ request: StatsRequest, context: RPCContext) async throws -> StatsResponse {
        guard request.hours <= StatsRequest.maximumHours else {
            throw RPCError(
                code: .invalidArgument,
                message: "hours must be at most \(StatsRequest.maximumHours), got \(request.hours)")
        }
        await batcher.flush()
        // All time (0) reads the totals tables and takes no parameter.
        let since = request.sinceMillis == 0 ? [] : [PostgresValue(RFC3339.format(millis: request.sinceMillis))]
        do {
            let predictions = try await database.query(PredictionPartitions.countsSince(request.sinceMillis), since)
            let alerts = try await database.query(AlertCounts.countsSince(request.sinceMillis), since)
            var response = StatsResponse()
            for row in predictions {
                guard let risk = RiskLevel(rawValue: try row.string("risk_level") ?? "") else { continue }
                let n = UInt64(try row.int64("n") ?? 0)
                response.predictions += n
                response.anomalies += UInt64(try row.int64("anomalies") ?? 0)
                response.predictionsByRisk.append(RiskCount(riskLevel: risk, count: n))
            }
            var alertsByRisk: [RiskLevel: UInt64] = [:]
            for row in alerts {
                guard let risk = RiskLevel(rawValue: try row.string("risk_level") ?? "") else { continue }
                let n = UInt64(try row.int64("n") ?? 0)
                response.alerts += n
                alertsByRisk[risk, default: 0] += n
                switch try row.string("status") {
                case "pending": response.reviewBacklog += n
                case "confirmed_fraud": response.reviewedFraud += n
                case "legitimate": response.reviewedLegitimate += n
                default: break
                }
            }
            response.alertsByRisk = RiskLevel.allCases.compactMap { risk in
                alertsByRisk[risk].map { RiskCount(riskLevel: risk, count: $0) }
            }
            response.anomalyRate = response.predictions == 0 ? 0 : Double(response.anomalies) / Double(response.predictions)
            let reviewed = response.reviewedFraud + response.reviewedLegitimate
            response.alertPrecision = reviewed == 0 ? 0 : Double(response.reviewedFraud) / Double(reviewed)
            response.spooled = UInt64(spool.recordCount)
            if request.hours > 0 {
                let hourly = try await database.query(AlertCounts.hourly, [PostgresValue(Int(request.hours))])
                response.alertsByHour = try hourly.compactMap { row in
                    guard let risk = RiskLevel(rawValue: try row.string("risk_level") ?? "") else { return nil }
                    return HourlyRiskCount(
                        hourMillis: try row.int64("hour_ms") ?? 0, riskLevel: risk,
                        count: UInt64(max(0, try row.int64("n") ?? 0)))
                }
            }
            return response
        } catch let error as StoreError where error.code == .unavailable {
            throw RPCError(code: .unavailable, message: "PostgreSQL is unavailable: \(error.message)")
        }
    }

    public func listReviews(_ request: ListReviewsRequest, context: RPCContext) async throws -> ListReviewsResponse {
        let reviews = ReviewQueue(database: database)
        return try await reviews.list(request)
    }

    /// The decision goes through the review API's rules (``ReviewDecisions``): a different decision on a decided
    /// alert is refused (this older method has no override), a claim by another analyst is respected.
    public func decide(_ request: DecideRequest, context: RPCContext) async throws -> DecideResponse {
        let decided = try await reviews.decide(
            ReviewDecideRequest(
                alertID: request.alertID, decision: request.decision.decision, note: request.decision.note,
                analyst: request.decision.analyst),
            context: context)
        return DecideResponse(alert: decided.item.alert)
    }
}

extension AlertsService {
    /// The background work the alerts process runs beside its server: migrations and spool replay, and the
    /// prediction batch flusher.
    ///
    /// - Parameters:
    ///   - notificationLease: how long a dispatcher's claim on a notification lasts; after a crash, another replica
    ///     delivers the row once it expired. Must exceed every channel's timeout.
    ///   - notificationWorkers: the dispatcher's claim-and-send loops; 0 runs no dispatcher (this replica only
    ///     records and enqueues).
    ///   - predictionRetentionDays: low-risk predictions older than this many days (by transaction time) are dropped,
    ///     checked hourly; alerts and their predictions are kept.
    public func backgroundServices(
        interval: Duration, notificationLease: Duration = .seconds(60), notificationWorkers: Int = 4,
        predictionRetentionDays: Int = 90, logger: Logger
    ) -> [any Service] {
        var services: [any Service] = [
            DatabaseMaintainer(service: self, database: database, interval: interval, logger: logger),
            PredictionBatcherService(batcher: batcher, interval: .milliseconds(200)),
            ReviewMaintainer(database: database, policy: reviews.policy, interval: .seconds(3600), logger: logger),
            OutboxMetrics(
                statistics: ReviewStatistics(database: database, policy: reviews.policy),
                channels: routing.channels.keys.sorted(), interval: .seconds(5),
                isReady: { [weak self] in self?.isSchemaReady ?? false }),
            PrecisionExporter(database: database, interval: .seconds(30), logger: logger),
            PredictionRetention(
                database: database, retentionDays: predictionRetentionDays, interval: .seconds(3600),
                isReady: { [weak self] in self?.isSchemaReady ?? false }, logger: logger),
        ]
        // Without channels nothing can be delivered; rows left from an earlier routing file wait, unharmed.
        if !routing.channels.isEmpty && notificationWorkers > 0 {
            var configuration = NotificationDispatcher.Configuration()
            configuration.lease = notificationLease
            configuration.workers = notificationWorkers
            services.append(notificationDispatcher(configuration: configuration, logger: logger))
        }
        return services
    }

    /// The outbox dispatcher for this service's routing; it starts claiming once the schema is migrated.
    func notificationDispatcher(
        configuration: NotificationDispatcher.Configuration = .init(), logger: Logger
    ) -> NotificationDispatcher {
        NotificationDispatcher(
            database: database, routing: routing, configuration: configuration,
            isReady: { [weak self] in self?.isSchemaReady ?? false }, logger: logger)
    }

    /// Readiness details: the alerts service is ready even while PostgreSQL is down (it spools), so the database
    /// state is reported but does not fail readiness.
    public func readiness() async -> [AdminServer.DependencyState] {
        var reachable = true
        do { try await database.ping() } catch { reachable = false }
        let detail = reachable ? (isSchemaReady ? "up, schema ready" : "up, migrating") : "down (alerts are spooled)"
        return [
            AdminServer.DependencyState(name: "postgresql", ready: true, detail: detail),
            AdminServer.DependencyState(name: "spool", ready: true, detail: "\(spooledRecords) records waiting"),
        ]
    }
}
