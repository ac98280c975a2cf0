/// The mutable part of an embedded server handle, guarded by the handle's mutex.
struct ServerState: Sendable {
    /// The running server's PID, or nil while it is down (after `kill()`) or stopped.
    var pid: Int32?
    /// The watchdog that cleans up if we die; armed from the moment a throwaway directory exists.
    var watchdog: Watchdog?
    /// Set by `stop()`; the handle cannot be used afterwards.
    var isStopped = false

    /// Replaces the watchdog. The new one is armed before the old one is disarmed, so there is never a moment
    /// without one; `.none` without a directory needs none at all.
    mutating func replaceWatchdog(_ action: Watchdog.Action, throwawayDirectory: String?) throws {
        var next: Watchdog?
        if case .none = action, throwawayDirectory == nil {
            next = nil
        } else {
            next = try Watchdog.arm(action, removing: throwawayDirectory)
        }
        watchdog?.disarm()
        watchdog = next
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
