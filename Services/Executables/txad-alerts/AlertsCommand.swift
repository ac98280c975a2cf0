import ArgumentParser
import Logging
import ServiceKit

/// `txad-alerts`: the alerts service (frames on --port, admin HTTP on --admin-port).
@main
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txad-alerts", abstract: "txad alerts service: answers txad.v1.Alerts over length-prefixed protobuf frames.")

    @OptionGroup var options: InternalServiceOptions

    func run() async throws {
        let configuration: InternalServiceConfiguration
        do {
            configuration = try InternalServiceConfiguration(
                options: options, environmentPrefix: "ALERTS", defaultPort: 7003, defaultAdminPort: 9103)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        LoggingSetup.bootstrap(level: configuration.logLevel)
        let metrics = ServiceMetrics.bootstrap()
        var logger = Logger(label: "txad-alerts")
        logger.logLevel = configuration.logLevel
        try await InternalServiceHost.run(
            name: "txad-alerts", configuration: configuration, services: [], metrics: metrics, logger: logger)
    }
}
