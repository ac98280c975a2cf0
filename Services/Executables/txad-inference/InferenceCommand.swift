import ArgumentParser
import Logging
import ServiceKit

/// `txad-inference`: the inference service (frames on --port, admin HTTP on --admin-port).
@main
struct InferenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txad-inference", abstract: "txad inference service: answers txad.v1.Inference over length-prefixed protobuf frames.")

    @OptionGroup var options: InternalServiceOptions

    func run() async throws {
        let configuration: InternalServiceConfiguration
        do {
            configuration = try InternalServiceConfiguration(
                options: options, environmentPrefix: "INFERENCE", defaultPort: 7002, defaultAdminPort: 9102)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        LoggingSetup.bootstrap(level: configuration.logLevel)
        let metrics = ServiceMetrics.bootstrap()
        var logger = Logger(label: "txad-inference")
        logger.logLevel = configuration.logLevel
        try await InternalServiceHost.run(
            name: "txad-inference", configuration: configuration, services: [], metrics: metrics, logger: logger)
    }
}
