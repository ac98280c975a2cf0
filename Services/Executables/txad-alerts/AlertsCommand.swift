import AlertsService
import ArgumentParser
import Foundation
import Logging
import Notifications
import ServiceKit
import Stores

/// `txad-alerts`: the alerts service (frames on --port, admin HTTP on --admin-port).
@main
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txad-alerts",
        abstract: "txad alerts service: durable alert log in PostgreSQL, statistics and the review queue.")

    @OptionGroup var options: InternalServiceOptions

    @Option(help: "PostgreSQL URL, postgresql://user[:password]@host:port/db (env DATABASE_URL; required).")
    var databaseURL: String?

    @Option(help: "Directory of the durable spool used while PostgreSQL is down (env TXAD_SPOOL_DIR; default .txad/spool).")
    var spoolDir: String?

    @Option(
        help: """
            Review SLA per risk level in minutes, e.g. critical=15,high=60,medium=240 (env TXAD_REVIEW_SLA_MINUTES; \
            levels not given keep those defaults, low 1440).
            """)
    var reviewSlaMinutes: String?

    @Option(help: "Minutes an analyst's claim on an alert lasts (env TXAD_CLAIM_MINUTES; default 15).")
    var claimMinutes: Int?

    @Flag(help: "Apply the database migrations and exit (the Kubernetes migration Job); needs only --database-url.")
    var migrateOnly = false

    @Option(
        help: """
            Routing file (YAML): channels and which risk levels notify them (env TXAD_ROUTING_FILE; default: review \
            queue only). See compose/routing.example.yaml.
            """)
    var routingFile: String?

    @Option(
        help: """
            Seconds a replica's claim on a notification lasts; after a crash another replica delivers it once the \
            lease expired (env TXAD_NOTIFICATION_LEASE_SECONDS; default 60; must exceed every channel timeout).
            """)
    var notificationLeaseSeconds: Int?

    @Option(
        help: """
            Concurrent claim-and-send loops of the notification dispatcher (env TXAD_NOTIFICATION_WORKERS; default \
            4; 0: this replica records and enqueues notifications but does not deliver them).
            """)
    var notificationWorkers: Int?

    @Option(help: "Hours decision idempotency keys are kept (env TXAD_IDEMPOTENCY_RETENTION_HOURS; default 168).")
    var idempotencyRetentionHours: Int?

    @Option(
        help: """
            Days low-risk predictions are kept, by transaction time; older daily partitions are dropped hourly \
            (env TXAD_PREDICTION_RETENTION_DAYS; default 90, 1…3650). Alerts, their predictions and decisions stay.
            """)
    var predictionRetentionDays: Int?

    func run() async throws {
        let settings = Settings()
        let configuration: InternalServiceConfiguration
        let url: String
        let spoolDirectory: String
        let reviewPolicy: ReviewPolicy
        let routing: RoutingConfiguration
        let lease: Int
        let workers: Int
        let retentionDays: Int
        do {
            configuration = try InternalServiceConfiguration(
                options: options, environmentPrefix: "ALERTS", defaultPort: 7003, defaultAdminPort: 9103)
            guard
                let given = try settings.url(
                    databaseURL, flag: "database-url", env: "DATABASE_URL", schemes: ["postgresql", "postgres"])
            else {
                throw ConfigurationError(setting: "--database-url / DATABASE_URL", reason: "is required")
            }
            url = given
            spoolDirectory = settings.string(spoolDir, flag: "spool-dir", env: "TXAD_SPOOL_DIR", default: ".txad/spool")
            let sla: ReviewPolicy.SLATable
            do {
                sla = try ReviewPolicy.parseSLA(
                    settings.string(
                        reviewSlaMinutes, flag: "review-sla-minutes", env: "TXAD_REVIEW_SLA_MINUTES", default: ""))
            } catch {
                throw ConfigurationError(
                    setting: "--review-sla-minutes / TXAD_REVIEW_SLA_MINUTES", reason: error.description)
            }
            reviewPolicy = ReviewPolicy(
                slaMinutes: sla,
                claimMinutes: try settings.int(
                    claimMinutes, flag: "claim-minutes", env: "TXAD_CLAIM_MINUTES", default: 15, range: 1...1440),
                idempotencyRetentionHours: try settings.int(
                    idempotencyRetentionHours, flag: "idempotency-retention-hours",
                    env: "TXAD_IDEMPOTENCY_RETENTION_HOURS", default: 168, range: 1...87_600))
            if let path = settings.optionalString(routingFile, env: "TXAD_ROUTING_FILE") {
                do {
                    routing = try RoutingFile.load(path: path, environment: settings.environment)
                } catch let error as NotificationError {
                    throw ConfigurationError(setting: "--routing-file / TXAD_ROUTING_FILE", reason: error.description)
                }
            } else {
                routing = .reviewQueueOnly
            }
            lease = try settings.int(
                notificationLeaseSeconds, flag: "notification-lease-seconds", env: "TXAD_NOTIFICATION_LEASE_SECONDS",
                default: 60, range: 2...3600)
            workers = try settings.int(
                notificationWorkers, flag: "notification-workers", env: "TXAD_NOTIFICATION_WORKERS", default: 4,
                range: 0...64)
            retentionDays = try settings.int(
                predictionRetentionDays, flag: "prediction-retention-days", env: "TXAD_PREDICTION_RETENTION_DAYS",
                default: 90, range: 1...3650)
            if let slowest = routing.channels.values.max(by: { $0.timeout < $1.timeout }),
                slowest.timeout >= .seconds(lease)
            {
                throw ConfigurationError(
                    setting: "--notification-lease-seconds / TXAD_NOTIFICATION_LEASE_SECONDS",
                    reason: "\(lease) s must exceed channel '\(slowest.name)''s timeout (\(slowest.timeout))")
            }
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        LoggingSetup.bootstrap(level: configuration.logLevel)
        var logger = Logger(label: "txad-alerts")
        logger.logLevel = configuration.logLevel
        if migrateOnly {
            let database = try PostgresClient(url: url, logger: logger)
            do {
                let applied = try await AlertsService.migrate(database: database, logger: logger)
                logger.notice("database migrated", metadata: ["applied": "\(applied)"])
            } catch {
                await database.shutdown()
                throw error
            }
            await database.shutdown()
            return
        }
        let metrics = ServiceMetrics.bootstrap()
        try FileManager.default.createDirectory(atPath: spoolDirectory, withIntermediateDirectories: true)
        let database = try PostgresClient(url: url, logger: logger)
        let spool = try DurableSpool(path: spoolDirectory + "/alerts.spool", logger: logger)
        let service = AlertsService(
            database: database, spool: spool, reviewPolicy: reviewPolicy, routing: routing, logger: logger)
        do {
            try await InternalServiceHost.run(
                name: "txad-alerts", configuration: configuration,
                extraConfiguration: [
                    ("database_url", Redaction.maskingSecrets(in: url)), ("spool", spool.path),
                    ("review_sla_minutes", reviewPolicy.slaDescription),
                    ("claim_minutes", String(reviewPolicy.claimMinutes)),
                    ("idempotency_retention_hours", String(reviewPolicy.idempotencyRetentionHours)),
                    ("notification_lease", "\(lease) s"), ("notification_workers", String(workers)),
                    ("prediction_retention_days", String(retentionDays)),
                ] + routing.printable,
                services: [service, service.reviews],
                background: service.backgroundServices(
                    interval: .seconds(1), notificationLease: .seconds(lease), notificationWorkers: workers,
                    predictionRetentionDays: retentionDays,
                    logger: logger),
                metrics: metrics, logger: logger,
                readiness: { await service.readiness() })
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }
}
