import Logging
import Metrics
import ServiceLifecycle
import Stores
import Wire

/// Replays records the gateway spooled while the alerts service was unreachable, in order, once it answers again.
///
/// Recording is idempotent by transaction id, so a record replayed twice after a crash is harmless.
struct GatewaySpoolReplayer: Service {
    let spool: DurableSpool
    let alerts: AlertsClient
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let depth = Gauge(label: "txad_gateway_spool_records")
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            depth.record(spool.recordCount)
            if spool.recordCount > 0 { await replayOnce() }
            depth.record(spool.recordCount)
            try? await Task.sleep(for: interval)
        }
    }

    /// Replays what is spooled; stops at the first record the alerts service does not accept.
    func replayOnce() async {
        do {
            let replayed = try await spool.replay { bytes in
                let request = try RecordRequest(serializedBytes: bytes)
                _ = try await alerts.record(request, options: CallOptions(deadline: .seconds(5)))
            }
            if replayed > 0 { logger.info("replayed spooled records to alerts", metadata: ["records": "\(replayed)"]) }
        } catch {
            logger.debug("alerts still unreachable; records stay spooled", metadata: ["error": "\(error)"])
        }
    }
}
