import Logging
import NIOPosix
import Synchronization

/// A connection owning a C handle (hiredis context, libpq connection). Not `Sendable`: it lives in a pool slot
/// and is only touched on the pool's threads while that slot's lock is held.
protocol PooledConnection: AnyObject, SendableMetatype {
    associatedtype Configuration: Sendable

    /// Dials a new connection (blocking); throws `StoreError` `.unavailable` when the server cannot be reached.
    static func open(_ configuration: Configuration, logger: Logger) throws -> Self

    /// Whether an idle connection may serve the next call; may repair it (e.g. roll back a transaction left
    /// open by a cancelled task). Returning false makes the pool close it and dial a new one.
    func prepareForUse() -> Bool

    /// Set after an I/O error: the pool closes the connection instead of reusing it.
    var isBroken: Bool { get }
}

/// A fixed number of connection slots, each used by at most one caller at a time, with the blocking C calls
/// running on the pool's own `NIOThreadPool` (one thread per slot, so a slow call never starves the others and
/// never blocks the Swift concurrency pool or an event loop).
///
/// Connections are dialled lazily, checked before every use and re-dialled after the server went away, so a
/// client created while its server is down starts working as soon as the server is back. While the server is
/// down every call fails fast with `.unavailable` (connection refused or the connect timeout), never hangs.
final class ConnectionPool<Connection: PooledConnection>: Sendable {
    /// A reserved slot; hold it for several calls (a transaction), then `release(_:)` it.
    struct Lease: Sendable {
        fileprivate let index: Int
        fileprivate let id: UInt64
    }

    private struct SlotState {
        var connection: Connection?
        /// The lease whose first call checked (or dialled) `connection`. Later calls of the same lease must run
        /// on that very connection: a transaction cannot continue on a new one.
        var checkedFor: UInt64 = 0
    }

    private final class Slot: Sendable {
        let state = Mutex(SlotState())
    }

    private let slots: [Slot]
    private let gate: SlotGate
    private let threads: NIOThreadPool
    private let leaseCounter = Atomic<UInt64>(0)
    private let configuration: Connection.Configuration
    private let logger: Logger

    /// Creates `size` slots and starts `size` threads.
    init(size: Int, configuration: Connection.Configuration, logger: Logger) {
        self.slots = (0..<size).map { _ in Slot() }
        self.gate = SlotGate(size: size)
        self.threads = NIOThreadPool(numberOfThreads: size)
        self.configuration = configuration
        self.logger = logger
        threads.start()
    }

    /// Runs `body` with a connection of a free slot (waiting while all slots are busy).
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let lease = try await lease()
        defer { release(lease) }
        return try await run(on: lease, body)
    }

    /// Reserves a slot; waits while all are busy. Throws `.shutDown` after `shutdown()`, or `CancellationError`.
    func lease() async throws -> Lease {
        let index = try await gate.acquire()
        return Lease(index: index, id: leaseCounter.add(1, ordering: .relaxed).newValue)
    }

    /// Gives a slot back.
    func release(_ lease: Lease) {
        gate.release(lease.index)
    }

    /// Runs `body` on the pool's threads with the leased slot's connection.
    ///
    /// The first call of a lease checks the idle connection (`prepareForUse`) or dials one. Later calls of the
    /// same lease use that connection as it is; if it broke in between, they throw `.unavailable` rather than
    /// quietly continuing on a new connection outside the caller's transaction. A connection that reports
    /// `isBroken` after `body` is closed.
    func run<T: Sendable>(on lease: Lease, _ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let slot = slots[lease.index]
        return try await onThreadPool {
            try slot.state.withLock { state in
                let active: Connection
                if state.checkedFor == lease.id {
                    guard let existing = state.connection else {
                        throw StoreError(
                            .unavailable, "the connection broke in the middle of a transaction; it was rolled back")
                    }
                    active = existing
                } else {
                    state.checkedFor = lease.id
                    if let existing = state.connection, existing.prepareForUse() {
                        active = existing
                    } else {
                        if state.connection != nil {
                            self.logger.debug("replacing a stale connection", metadata: ["slot": "\(lease.index)"])
                            state.connection = nil
                        }
                        active = try Connection.open(self.configuration, logger: self.logger)
                        state.connection = active
                    }
                }
                defer {
                    if active.isBroken { state.connection = nil }
                }
                return try body(active)
            }
        }
    }

    /// Runs `body` on the pool's threads. Unlike `NIOThreadPool.runIfActive`, a queued call is not skipped when
    /// its task is cancelled: a `ROLLBACK` after a cancelled transaction body must still run, and a call either
    /// runs completely or (after `shutdown()`) not at all.
    private func onThreadPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            threads.submit { state in
                guard case .active = state else {
                    continuation.resume(throwing: StoreError(.shutDown, "the client was shut down"))
                    return
                }
                continuation.resume(with: Result(catching: body))
            }
        }
    }

    /// Fails waiting and future calls with `.shutDown`, closes every connection and stops the threads.
    /// Calls already running finish first.
    func shutdown() async {
        gate.close()
        for slot in slots {
            // Taking the lock waits for a call still running on this slot.
            _ = try? await onThreadPool { slot.state.withLock { $0.connection = nil } }
        }
        do {
            try await threads.shutdownGracefully()
        } catch {
            logger.warning("thread pool shutdown failed", metadata: ["error": "\(error)"])
        }
    }
}

/// Hands out slot indices to at most one holder each, queueing the rest in FIFO order (cancellable).
private final class SlotGate: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Int, any Error>
    }

    private struct State {
        var free: [Int]
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var isClosed = false
    }

    private let state: Mutex<State>

    init(size: Int) {
        state = Mutex(State(free: Array((0..<size).reversed())))
    }

    func acquire() async throws -> Int {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                let immediate: Result<Int, any Error>? = state.withLock { state in
                    if state.isClosed { return .failure(StoreError(.shutDown, "the client was shut down")) }
                    // Checked under the lock so a cancellation racing with the enqueue below is never lost.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if let index = state.free.popLast() { return .success(index) }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    func release(_ index: Int) {
        let waiter: Waiter? = state.withLock { state in
            if state.waiters.isEmpty {
                state.free.append(index)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: index)
    }

    func close() {
        let waiters = state.withLock { state in
            state.isClosed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: StoreError(.shutDown, "the client was shut down"))
        }
    }
}
