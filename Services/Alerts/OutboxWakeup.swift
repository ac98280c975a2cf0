import Synchronization

/// Wakes idle dispatcher workers when the outbox may have work (a `NOTIFY` arrived).
///
/// A worker reads ``generation`` before it claims; when the claim comes back short it calls
/// ``wait(after:upTo:)``, which returns at once if a signal came in meanwhile, else at the next ``signal()`` or
/// after the timeout — so a notification between claim and wait is never lost.
final class OutboxWakeup: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Signals counted so far.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every waiting worker, and makes the next ``wait(after:upTo:)`` of a busy one return at once.
    func signal() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when ``generation`` moved past `seen`, or after `timeout`, or when the task is cancelled.
    func wait(after seen: UInt64, upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.signalled(after: seen) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func signalled(after seen: UInt64) async {
        let id = state.withLock { state in
            defer { state.nextWaiter &+= 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.generation != seen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
