import Logging
import Metrics
import Registry
import ServiceLifecycle
import Stores

/// Exports the precision of decided alerts per model version as gauges, refreshed every `interval`:
/// `txad_alerts_precision{model_version}` and `txad_alerts_decided{model_version}` (``VersionPrecision``).
struct PrecisionExporter: Service {
    let database: PostgresClient
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await tick()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }

    /// Reads the figures once and records them; returns them (empty when the database is not reachable yet).
    @discardableResult
    func tick() async -> [VersionPrecision] {
        do {
            let figures = try await VersionPrecision.perVersion(client: database)
            for figure in figures {
                let dimensions = [("model_version", figure.version)]
                Gauge(label: "txad_alerts_decided", dimensions: dimensions).record(Double(figure.decided))
                if let precision = figure.precision {
                    Gauge(label: "txad_alerts_precision", dimensions: dimensions).record(precision)
                }
            }
            return figures
        } catch {
            logger.debug("precision per model version not available yet", metadata: ["error": "\(error)"])
            return []
        }
    }
}
