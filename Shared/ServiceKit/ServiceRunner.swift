import Logging
import ServiceLifecycle

/// Runs an executable's long-lived services until SIGTERM or SIGINT, then shuts them down gracefully.
///
/// On a signal every service gets its graceful-shutdown notice (servers stop accepting and drain in-flight calls);
/// services are shut down in reverse order of the list, so put servers last and their dependencies first.
public enum ServiceRunner {
    /// Logs the effective configuration (values already masked by the caller) and runs `services`.
    public static func run(
        service name: String, configuration: [(String, String)], services: [any Service], logger: Logger
    ) async throws {
        var metadata: Logger.Metadata = [:]
        for (key, value) in configuration { metadata[key] = .string(value) }
        logger.info("starting \(name)", metadata: metadata)
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        logger.info("stopped \(name)")
    }
}
