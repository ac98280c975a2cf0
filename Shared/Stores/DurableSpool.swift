import Logging
import NIOPosix
import Synchronization

/// An append-only local file of records that survive a crash once `append` returns: the alerts service keeps
/// alerts here while PostgreSQL is down, the gateway while the alerts service is unreachable.
///
/// ```swift
/// let spool = try DurableSpool(path: ".txad/alerts.spool")
/// try spool.append([encodedAlert])                       // blocking: returns after fdatasync
/// let replayed = try await spool.replay { record in       // later, when the store is back
///     try await store.record(decode(record))             // throw to stop; the rest stays spooled
/// }
/// ```
///
/// - Durability: `append` writes and `fdatasync`s before returning. Concurrent appenders share one `fdatasync`
///   (group commit): whoever gets the file writes everything queued so far, the others find their records
///   already durable.
/// - Replay: records come in append order. When `replay` returns (or its body throws) the records the body
///   accepted are removed from the file, so a later replay does not see them again; records appended during a
///   replay wait for the next one. If the process crashes in the middle of a replay, the records accepted before
///   the crash are replayed again on the next start: make the body idempotent (alerts are, by transaction id).
/// - Damage: a torn last record (crash in the middle of a write) or a damaged one is detected by its length and
///   CRC-32 when the spool is opened, cut off with a warning and saved next to the file; opening never crashes.
///   See `SpoolFile` for the format.
/// - Concurrency: `Sendable`; append from any thread. `append` blocks on disk I/O: from async code call it
///   through a thread pool (`NIOThreadPool.singleton.runIfActive { try spool.append(records) }`). `replay`
///   does its own I/O on `NIOThreadPool.singleton`; one replay at a time.
public final class DurableSpool: Sendable {
    /// The default largest record: 16 MiB.
    public static let defaultMaxRecordSize = 16 << 20

    /// The spool file's path.
    public let path: String
    private let maxRecordSize: Int
    private let file: Mutex<SpoolFile>
    private let queue = Mutex(Queue())
    private let isReplaying = Atomic<Bool>(false)

    /// Appends waiting for a writer. Sequence numbers identify appends: everything up to `resolved` has been
    /// written (or failed, then it is listed in `failures`).
    private struct Queue {
        var bytes: [UInt8] = []
        var records = 0
        var submitted: UInt64 = 0
        var resolved: UInt64 = 0
        var failures: [(appends: ClosedRange<UInt64>, error: StoreError)] = []
    }

    private enum Turn {
        case done
        case failed(StoreError)
        case write(bytes: [UInt8], records: Int, appends: ClosedRange<UInt64>)
    }

    /// Opens the spool at `path`, creating it (and syncing its directory) if needed; the directory must exist.
    ///
    /// - Throws: `StoreError` `.spoolFailure` when the file cannot be opened or created, or is not a spool.
    public init(
        path: String, maxRecordSize: Int = DurableSpool.defaultMaxRecordSize,
        logger: Logger = Logger(label: "txad.spool")
    ) throws {
        guard maxRecordSize > 0, maxRecordSize <= Int(UInt32.max) else {
            throw StoreError(.invalidConfiguration, "spool maxRecordSize: \(maxRecordSize) is not in 1...2^32-1")
        }
        self.path = path
        self.maxRecordSize = maxRecordSize
        self.file = Mutex(try SpoolFile.open(path: path, maxRecordSize: maxRecordSize, logger: logger))
    }

    deinit {
        file.withLock { $0.close() }
    }

    /// The number of durable records waiting for replay.
    public var recordCount: Int {
        file.withLock { $0.recordCount }
    }

    /// Appends `records` and returns once they are on disk. Blocking (see the type's notes).
    ///
    /// - Throws: `StoreError` `.invalidArgument` for a record above the maximum size (nothing is appended),
    ///   `.spoolFailure` when writing or syncing failed (nothing of this call is in the spool).
    public func append(_ records: [[UInt8]]) throws {
        guard !records.isEmpty else { return }
        var encoded: [UInt8] = []
        encoded.reserveCapacity(records.reduce(0) { $0 + $1.count + SpoolFile.recordHeaderSize })
        for (index, record) in records.enumerated() {
            guard record.count <= maxRecordSize else {
                throw StoreError(
                    .invalidArgument,
                    "spool record \(index) has \(record.count) bytes, above the maximum \(maxRecordSize)")
            }
            SpoolFile.encode(record, into: &encoded)
        }
        let ticket = queue.withLock { queue in
            queue.bytes += encoded
            queue.records += records.count
            queue.submitted += 1
            return queue.submitted
        }
        try file.withLock { file in
            // Holding the file: either an earlier writer already handled our append, or we write the whole queue.
            let turn = queue.withLock { queue -> Turn in
                if queue.resolved >= ticket {
                    return queue.failures.last { $0.appends.contains(ticket) }.map { .failed($0.error) } ?? .done
                }
                defer {
                    queue.bytes = []
                    queue.records = 0
                    queue.resolved = queue.submitted
                }
                return .write(
                    bytes: queue.bytes, records: queue.records, appends: (queue.resolved + 1)...queue.submitted)
            }
            switch turn {
            case .done:
                return
            case .failed(let error):
                throw error
            case .write(let bytes, let records, let appends):
                do {
                    try file.append(bytes, records: records)
                } catch {
                    let failure = error as? StoreError ?? StoreError(.spoolFailure, "\(error)")
                    queue.withLock { $0.failures.append((appends, failure)) }
                    throw failure
                }
            }
        }
    }

    /// Hands every durable record to `body`, oldest first, then removes the ones it accepted.
    ///
    /// Stops at the first record `body` throws for, removes the records before it, and rethrows; that record
    /// and the later ones stay for the next replay.
    ///
    /// - Returns: the number of records `body` accepted.
    /// - Throws: `body`'s error, or `StoreError` `.spoolFailure` (I/O, damage found while reading, another replay
    ///   running).
    @discardableResult
    public func replay(_ body: ([UInt8]) async throws -> Void) async throws -> Int {
        guard isReplaying.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else {
            throw StoreError(.spoolFailure, "spool \(path) is already being replayed")
        }
        defer { isReplaying.store(false, ordering: .releasing) }
        // Records appended from here on wait for the next replay.
        let limit = file.withLock { $0.end }
        var offset = SpoolFile.headerSize
        var accepted = 0
        var bodyError: (any Error)?
        reading: while offset < limit {
            let batch = try await readBatch(from: offset, limit: limit)
            for (record, next) in batch {
                do {
                    try await body(record)
                } catch {
                    bodyError = error
                    break reading
                }
                offset = next
                accepted += 1
            }
        }
        let consumed = offset
        let count = accepted
        try await NIOThreadPool.singleton.runIfActive {
            try self.file.withLock { try $0.discard(upTo: consumed, records: count) }
        }
        if let bodyError { throw bodyError }
        return accepted
    }

    /// Reads records from `offset` up to about 1 MiB (at least one record), on the thread pool.
    private func readBatch(from offset: Int, limit: Int) async throws -> [(record: [UInt8], next: Int)] {
        try await NIOThreadPool.singleton.runIfActive {
            try self.file.withLock { file in
                var batch: [(record: [UInt8], next: Int)] = []
                var position = offset
                var size = 0
                while position < limit && (batch.isEmpty || size < 1 << 20) {
                    switch try file.read(at: position, limit: limit) {
                    case .record(let record, let next):
                        batch.append((record, next))
                        size += record.count
                        position = next
                    case .end:
                        return batch
                    case .invalid(let reason):
                        throw StoreError(.spoolFailure, "\(self.path) is damaged at offset \(position): \(reason)")
                    }
                }
                return batch
            }
        }
    }
}
