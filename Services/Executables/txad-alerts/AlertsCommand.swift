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

    func run() async throws {
        let settings = Settings()
        let configuration: InternalServiceConfiguration
        let url: String
        let spoolDirectory: String
        let routing: RoutingConfiguration
        let lease: Int
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
        let metrics = ServiceMetrics.bootstrap()
        var logger = Logger(label: "txad-alerts")
        logger.logLevel = configuration.logLevel
        try FileManager.default.createDirectory(atPath: spoolDirectory, withIntermediateDirectories: true)
        let database = try PostgresClient(url: url, logger: logger)
        let spool = try DurableSpool(path: spoolDirectory + "/alerts.spool", logger: logger)
        let service = AlertsService(database: database, spool: spool, routing: routing, logger: logger)
        do {
            try await InternalServiceHost.run(
                name: "txad-alerts", configuration: configuration,
                extraConfiguration: [
                    ("database_url", Redaction.maskingSecrets(in: url)), ("spool", spool.path),
                    ("notification_lease", "\(lease) s"),
                ] + routing.printable,
                services: [service], background: service.backgroundServices(
                    interval: .seconds(1), notificationLease: .seconds(lease), logger: logger),
                metrics: metrics, logger: logger,
                readiness: { await service.readiness() })
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }
}
