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

    @Flag(help: "Apply the database migrations and exit (the Kubernetes migration Job); needs only --database-url.")
    var migrateOnly = false

    func run() async throws {
        let settings = Settings()
        let configuration: InternalServiceConfiguration
        let url: String
        let spoolDirectory: String
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
        let service = AlertsService(database: database, spool: spool, logger: logger)
        do {
            try await InternalServiceHost.run(
                name: "txad-alerts", configuration: configuration,
                extraConfiguration: [
                    ("database_url", Redaction.maskingSecrets(in: url)), ("spool", spool.path),
                ],
                services: [service], background: service.backgroundServices(interval: .seconds(1), logger: logger),
                metrics: metrics, logger: logger,
                readiness: { await service.readiness() })
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }
}
