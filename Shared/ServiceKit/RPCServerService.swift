import ServiceLifecycle
import Wire

/// Runs an ``Wire/RPCServer`` as a lifecycle `Service`: on graceful shutdown it stops accepting and drains the calls
/// in flight before `run()` returns.
public struct RPCServerService: Service {
    /// The server being run.
    public let server: RPCServer

    public init(server: RPCServer) {
        self.server = server
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}
