#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The mutable part of an embedded server handle, guarded by the handle's mutex.
struct ServerState: Sendable {
    /// The running server's PID, or nil while it is down (after `kill()`) or stopped.
    var pid: pid_t?
    /// The watchdog for the current PID and/or the throwaway directory.
    var watchdog: Watchdog?
    /// Set by `stop()`; the handle cannot be used afterwards.
    var isStopped = false

    /// Replaces the watchdog with one for `pid` (nil: only the throwaway directory needs it).
    mutating func rearm(pid: pid_t?, commandName: String, signal: String, throwawayDirectory: String?) throws {
        watchdog?.disarm()
        watchdog = nil
        self.pid = pid
        guard pid != nil || throwawayDirectory != nil else { return }
        watchdog = try Watchdog.arm(
            serverPID: pid, commandName: commandName, signal: signal, removing: throwawayDirectory)
    }

    /// Disarms and forgets the watchdog (we are about to stop the server ourselves).
    mutating func disarm() {
        watchdog?.disarm()
        watchdog = nil
    }

    /// Throws `.stopped` once `stop()` has run.
    func checkNotStopped(_ what: String) throws {
        if isStopped {
            throw EmbeddedStoreError(.stopped, "\(what) was stopped; start a new instance")
        }
    }
}
