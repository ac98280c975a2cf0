import ArgumentParser
import InferenceService
import Logging
import ServiceKit
import Wire

/// `txad-inference`: the inference service (frames on --port, admin HTTP on --admin-port).
@main
struct InferenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txad-inference",
        abstract: "txad inference service: scores feature vectors with the active model bundle.")

    @OptionGroup var options: InternalServiceOptions

    @Option(help: "Model directory holding bundles and the ACTIVE pointer (env TXAD_MODEL_DIR; default models).")
    var modelDir: String?

    func run() async throws {
        let configuration: InternalServiceConfiguration
        let modelDirectory: String
        do {
            configuration = try InternalServiceConfiguration(
                options: options, environmentPrefix: "INFERENCE", defaultPort: 7002, defaultAdminPort: 9102)
            modelDirectory = Settings().string(modelDir, flag: "model-dir", env: "TXAD_MODEL_DIR", default: "models")
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        LoggingSetup.bootstrap(level: configuration.logLevel)
        let metrics = ServiceMetrics.bootstrap()
        var logger = Logger(label: "txad-inference")
        logger.logLevel = configuration.logLevel
        let health = HealthHolder()
        let service = InferenceService(modelDirectory: modelDirectory, logger: logger) { serving in
            health.set(serving)
        }
        try await InternalServiceHost.run(
            name: "txad-inference", configuration: configuration,
            extraConfiguration: [("model_dir", modelDirectory), ("model_version", service.modelVersion ?? "(none)")],
            services: [service], metrics: metrics, logger: logger,
            onStart: { server in
                health.attach(server)
                service.announce()
            })
    }
}
