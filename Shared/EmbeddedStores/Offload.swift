import Dispatch

/// Runs blocking work (spawning, waiting for a server, `pg_ctl`) on a Dispatch worker thread and awaits it.
///
/// Never block the Swift concurrency pool: on a 2-core machine it has two threads, and a half-second `initdb`
/// would stall every other task in the process.
func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
