import Domain
import Logging
import ServiceLifecycle

/// Collects scored transactions below alert level and writes them in batches (SPEC §5: "other scored transactions
/// are recorded in batches"), so single predictions do not cost a database round trip each.
///
/// Flushes every ``interval`` or at ``maximumBatch`` items, on `Stats` (so figures include everything received) and
/// on graceful shutdown. A batch PostgreSQL does not take goes to the durable spool, so nothing is dropped.
actor PredictionBatcher {
    private var buffer: [ScoredTransaction] = []
    private let maximumBatch: Int
    private let write: @Sendable ([ScoredTransaction]) async -> Void

    /// - Parameter write: records one batch durably (database, else spool); must not throw.
    init(maximumBatch: Int, write: @escaping @Sendable ([ScoredTransaction]) async -> Void) {
        self.maximumBatch = maximumBatch
        self.write = write
    }

    /// Adds items; writes at once when the buffer is full.
    func add(_ items: [ScoredTransaction]) async {
        buffer.append(contentsOf: items)
        if buffer.count >= maximumBatch { await flush() }
    }

    /// Writes everything buffered.
    func flush() async {
        guard !buffer.isEmpty else { return }
        let batch = buffer
        buffer = []
        await write(batch)
    }

    var pendingCount: Int { buffer.count }
}

/// Flushes the batcher periodically and once more on shutdown.
struct PredictionBatcherService: Service {
    let batcher: PredictionBatcher
    let interval: Duration

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: interval)
            await batcher.flush()
        }
        await batcher.flush()
    }
}
