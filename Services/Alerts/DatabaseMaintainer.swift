import Logging
import ServiceLifecycle
import Stores

/// Keeps the alerts database usable: applies migrations (retrying until PostgreSQL answers) and replays the spool
/// into PostgreSQL whenever it holds records and the database is reachable.
struct DatabaseMaintainer: Service {
    let service: AlertsService
    let database: PostgresClient
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await tick()
            try? await Task.sleep(for: interval)
        }
    }

    /// One round: migrate if not done yet, then replay what is spooled.
    func tick() async {
        service.publishSpoolDepth()
        defer { service.publishSpoolDepth() }
        if !service.isSchemaReady {
            do {
                let applied = try await PostgresMigrator(client: database, migrations: AlertSchema.migrations, logger: logger)
                    .migrate()
                service.setSchemaReady()
                logger.info("database schema ready", metadata: ["applied": "\(applied)"])
            } catch let error as StoreError where error.code == .schemaTooNew {
                logger.critical("database schema is newer than this build; not writing", metadata: ["error": "\(error)"])
                return
            } catch {
                logger.warning("PostgreSQL not ready; alerts are spooled", metadata: ["error": "\(error)"])
                return
            }
        }
        guard service.spooledRecords > 0 else { return }
        do {
            let replayed = try await service.replaySpool()
            if replayed > 0 { logger.info("replayed spooled records into PostgreSQL", metadata: ["records": "\(replayed)"]) }
        } catch {
            logger.debug("spool replay stopped; will retry", metadata: ["error": "\(error)"])
        }
    }
}
