import Logging
import ServiceLifecycle
import Wire

/// Runs one internal service process: its RPC server, the admin HTTP server and any background services, until
/// SIGTERM/SIGINT, then drains and exits.
public enum InternalServiceHost {
    /// Serves `services` over frames and the admin endpoints, logging the effective configuration first.
    ///
    /// - Parameters:
    ///   - name: the executable's name, e.g. `txad-inference`, used as the log label.
    ///   - background: long-lived helpers (spool replayers, reloaders) run beside the servers.
    ///   - readiness: dependency states for `/health/ready`, beyond the RPC server's own serving status.
    ///   - onStart: called with the server once it is listening, before serving (e.g. to set health states).
    public static func run(
        name: String, configuration: InternalServiceConfiguration, extraConfiguration: [(String, String)] = [],
        services: [any RPCService], background: [any Service] = [], metrics: ServiceMetrics, logger: Logger,
        readiness: @escaping @Sendable () async -> [AdminServer.DependencyState] = { [] },
        onStart: @Sendable (RPCServer) -> Void = { _ in }
    ) async throws {
        let server = RPCServer(
            configuration: .init(
                host: configuration.host, port: configuration.port,
                maximumFrameSize: configuration.maximumFrameSize, tls: configuration.tls),
            services: services, logger: logger)
        let address = try await server.listen()
        onStart(server)
        let serviceNames = services.map(\.serviceName)
        let admin = AdminServer(
            configuration: .init(host: configuration.host, port: configuration.adminPort), service: name,
            metrics: metrics, logger: logger
        ) {
            var states = serviceNames.map { service in
                let serving = server.healthStatus.status(for: service) == .serving
                return AdminServer.DependencyState(
                    name: service, ready: serving, detail: serving ? "serving" : "not serving")
            }
            states += await readiness()
            return states
        }
        var printable = configuration.printable + extraConfiguration
        printable.append(("listening", "\(address)"))
        try await ServiceRunner.run(
            service: name, configuration: printable,
            services: background + [admin, RPCServerService(server: server)], logger: logger)
    }
}
