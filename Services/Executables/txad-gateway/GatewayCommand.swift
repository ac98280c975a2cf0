import ArgumentParser
import GatewayService
import Logging
import ServiceKit

/// `txad-gateway`: the REST front door (SPEC §6).
@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txad-gateway", abstract: "txad gateway: REST API that fans out to preprocessing, inference, alerts.")

    @OptionGroup var options: GatewayOptions

    func run() async throws {
        let (configuration, level): (GatewayConfiguration, Logger.Level)
        do {
            (configuration, level) = try options.resolve()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        LoggingSetup.bootstrap(level: level)
        let metrics = ServiceMetrics.bootstrap()
        var logger = Logger(label: "txad-gateway")
        logger.logLevel = level
        try await Gateway(configuration: configuration, metrics: metrics, logger: logger).run()
    }
}
