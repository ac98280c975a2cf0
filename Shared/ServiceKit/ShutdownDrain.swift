import ServiceLifecycle
import Synchronization

/// The first step of a graceful shutdown: readiness turns false, and the servers keep serving for `delay` before they
/// stop accepting, so whoever routes by readiness (Kubernetes endpoints, a load balancer, the gateway's health checks)
/// sends new work elsewhere while calls still succeed. Run it last in a ``ServiceRunner`` list: services are shut
/// down in reverse order, so it runs out its delay before the servers begin to drain.
public final class ShutdownDrain: Service, Sendable {
    /// How long the process keeps serving, not ready, after SIGTERM (`TXAD_SHUTDOWN_DELAY_MS`).
    public let delay: Duration
    private let draining = Atomic<Bool>(false)

    /// - Parameter delay: zero stops accepting at once (readiness still turns false first).
    public init(delay: Duration) {
        self.delay = delay
    }

    /// Whether graceful shutdown has begun; readiness reports not ready from then on.
    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    /// The readiness entry for `/health/ready`.
    public var state: AdminServer.DependencyState {
        AdminServer.DependencyState(
            name: "shutdown", ready: !isDraining, detail: isDraining ? "draining" : "running")
    }

    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: no drain to hold
        }
        draining.store(true, ordering: .releasing)
        try? await Task.sleep(for: delay)
    }
}
