import ServiceLifecycle

/// Runs `body` as soon as `isReady()` holds (checked every second), then again after each wait `body` returns, until
/// graceful shutdown or cancellation; a wait ends at once on SIGTERM. The loop of the alerts service's periodic
/// database work (retention, review gauges), which must not start before the schema is migrated.
func repeatWhenReady(_ isReady: @Sendable () -> Bool, _ body: () async -> Duration) async {
    var wait = Duration.zero
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
        let pause = wait
        do {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        } catch {
            return
        }
        guard isReady() else {
            wait = .seconds(1)
            continue
        }
        wait = await body()
    }
}
