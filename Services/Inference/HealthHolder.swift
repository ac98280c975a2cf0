import Synchronization
import Wire

/// Connects the inference service's model state to its server's health status (`SERVING` only with a model).
///
/// The service exists before the server (the server is built from it), so the server is attached once listening
/// and the latest state is applied then.
public final class HealthHolder: Sendable {
    private let state = Mutex<(server: RPCServer?, serving: Bool)>((nil, false))

    public init() {}

    /// Records whether a model is in service and updates the server's status if attached.
    public func set(_ serving: Bool) {
        let server = state.withLock { state -> RPCServer? in
            state.serving = serving
            return state.server
        }
        server?.healthStatus.set(serving ? .serving : .notServing, for: Inference.serviceName)
    }

    /// Attaches the server and applies the current state.
    public func attach(_ server: RPCServer) {
        let serving = state.withLock { state -> Bool in
            state.server = server
            return state.serving
        }
        server.healthStatus.set(serving ? .serving : .notServing, for: Inference.serviceName)
    }
}
