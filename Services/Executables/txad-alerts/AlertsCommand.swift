import AlertsService
import ArgumentParser
import Foundation
import Logging
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

    @Option(help: "Hours decision idempotency keys are kept (env TXAD_IDEMPOTENCY_RETENTION_HOURS; default 168).")
    var idempotencyRetentionHours: Int?

    func run() async throws {
        let settings = Settings()
        let configuration: InternalServiceConfiguration
        let url: String
        let spoolDirectory: String
        let reviewPolicy: ReviewPolicy
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
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        LoggingSetup.bootstrap(level: configuration.logLevel)
        let metrics = ServiceMetrics.bootstrap()
        var logger = Logger(label: "txad-alerts")
        logger.logLevel = configuration.logLevel
        try FileManager.default.createDirectory(atPath: spoolDirectory, withIntermediateDirectories: true)
        let database = try PostgresClient(url: url, logger: logger)
        let spool = try DurableSpool(path: spoolDirectory + "/alerts.spool", logger: logger)
        let service = AlertsService(database: database, spool: spool, reviewPolicy: reviewPolicy, logger: logger)
        do {
            try await InternalServiceHost.run(
                name: "txad-alerts", configuration: configuration,
                extraConfiguration: [
                    ("database_url", Redaction.maskingSecrets(in: url)), ("spool", spool.path),
                    ("review_sla_minutes", reviewPolicy.slaDescription),
                    ("claim_minutes", String(reviewPolicy.claimMinutes)),
                    ("idempotency_retention_hours", String(reviewPolicy.idempotencyRetentionHours)),
                ],
                services: [service, service.reviews],
                background: service.backgroundServices(interval: .seconds(1), logger: logger),
                metrics: metrics, logger: logger,
                readiness: { await service.readiness() })
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }
}
