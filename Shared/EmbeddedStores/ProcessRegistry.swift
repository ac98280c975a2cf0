import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Every embedded server that is still running, so that a normal process exit stops them in order.
///
/// Swift Testing has no global teardown and `txad up` may exit on an error path, so each instance registers a
/// cleanup here when it starts and removes it in `stop()`; an `atexit` handler runs what is left. Abnormal deaths
/// (signals, crashes) are covered by each instance's `Watchdog` instead.
final class ProcessRegistry: Sendable {
    /// The process-wide registry; the `atexit` handler is installed when it is first used.
    static let shared = ProcessRegistry()

    private let cleanups = Mutex<[ObjectIdentifier: @Sendable () -> Void]>([:])

    private init() {
        atexit { ProcessRegistry.shared.runAll() }
    }

    /// Remembers `cleanup` for `owner` until `remove(_:)`.
    func add(_ owner: AnyObject, cleanup: @escaping @Sendable () -> Void) {
        cleanups.withLock { $0[ObjectIdentifier(owner)] = cleanup }
    }

    /// Forgets `owner`'s cleanup (it stopped by itself).
    func remove(_ owner: AnyObject) {
        _ = cleanups.withLock { $0.removeValue(forKey: ObjectIdentifier(owner)) }
    }

    /// Runs and forgets every remaining cleanup.
    func runAll() {
        let pending = cleanups.withLock { entries in
            let all = Array(entries.values)
            entries.removeAll()
            return all
        }
        for cleanup in pending { cleanup() }
    }
}
