import ArgumentParser
import Logging
import ServiceKit

/// `txad-preprocessing`: the preprocessing service (frames on --port, admin HTTP on --admin-port).
@main
struct PreprocessingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txad-preprocessing", abstract: "txad preprocessing service: answers txad.v1.Preprocessing over length-prefixed protobuf frames.")

    @OptionGroup var options: InternalServiceOptions

    func run() async throws {
        let configuration: InternalServiceConfiguration
        do {
            configuration = try InternalServiceConfiguration(
                options: options, environmentPrefix: "PREPROCESSING", defaultPort: 7001, defaultAdminPort: 9101)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        LoggingSetup.bootstrap(level: configuration.logLevel)
        let metrics = ServiceMetrics.bootstrap()
        var logger = Logger(label: "txad-preprocessing")
        logger.logLevel = configuration.logLevel
        try await InternalServiceHost.run(
            name: "txad-preprocessing", configuration: configuration, services: [], metrics: metrics, logger: logger)
    }
}
