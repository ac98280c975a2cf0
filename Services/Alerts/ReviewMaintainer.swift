import Logging
import ServiceLifecycle
import Stores

/// Forgets decision idempotency keys older than ``ReviewPolicy/idempotencyRetentionHours`` (checked every
/// `interval`), so `review_decision_requests` does not grow without bound. A retry after that only meets the
/// ordinary rules: the same decision again changes nothing, a different one needs `override`.
struct ReviewMaintainer: Service {
    let database: PostgresClient
    let policy: ReviewPolicy
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // The wait is long: it must end at once on graceful shutdown (SIGTERM), not only on cancellation.
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let forgotten = try await purge()
                if forgotten > 0 { logger.info("forgot old idempotency keys", metadata: ["keys": "\(forgotten)"]) }
            } catch {
                logger.debug("idempotency key purge failed; will retry", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Deletes the expired keys; returns how many.
    func purge() async throws -> Int {
        try await database.execute(
            "DELETE FROM review_decision_requests WHERE created_at < now() - make_interval(hours => $1::int)",
            [PostgresValue(policy.idempotencyRetentionHours)])
    }
}
