import Synchronization

/// The serving status the server reports through `txad.v1.Health/Check`, per service and for the whole server.
///
/// Every service the server hosts starts as `.serving`; a service that needs warm-up (e.g. loading a model) sets
/// `.notServing` before the server runs and `.serving` when ready. The whole server (the empty service name) is
/// `.serving` while it runs. Graceful shutdown sets everything to `.notServing` so load balancers stop sending
/// calls before connections close.
public final class HealthStatusRegistry: Sendable {
    private let statuses: Mutex<[String: ServingStatus]>

    init(services: [String]) {
        var initial: [String: ServingStatus] = ["": .serving]
        for service in services {
            initial[service] = .serving
        }
        self.statuses = Mutex(initial)
    }

    /// Sets the status of `service` (a fully qualified name such as `txad.v1.Inference`, or `""` for the whole
    /// server). Setting a status for a name the server does not host makes `Check` report it.
    public func set(_ status: ServingStatus, for service: String) {
        statuses.withLock { $0[service] = status }
    }

    /// The status of `service`; `.serviceUnknown` for a name the server does not host.
    public func status(for service: String) -> ServingStatus {
        statuses.withLock { $0[service] } ?? .serviceUnknown
    }

    /// Marks every service and the server as not serving (graceful shutdown).
    func setAllNotServing() {
        statuses.withLock { statuses in
            for key in statuses.keys {
                statuses[key] = .notServing
            }
        }
    }
}

/// The built-in `txad.v1.Health` service every ``RPCServer`` hosts.
struct HealthService: Health.ServiceProtocol {
    let registry: HealthStatusRegistry

    func check(_ request: HealthCheckRequest, context: RPCContext) async throws -> HealthCheckResponse {
        HealthCheckResponse(status: registry.status(for: request.service))
    }
}
