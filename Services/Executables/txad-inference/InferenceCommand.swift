import ArgumentParser
import InferenceService
import Logging
import Registry
import ServiceKit
import Stores
import Wire

/// `txad-inference`: the inference service (frames on --port, admin HTTP on --admin-port).
@main
struct InferenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txad-inference",
        abstract: "txad inference service: scores feature vectors with the models in service.")

    @OptionGroup var options: InternalServiceOptions

    @Option(help: "Model directory holding bundles and the ACTIVE pointer (env TXAD_MODEL_DIR; default models).")
    var modelDir: String?

    @Option(
        help: """
            PostgreSQL URL of the model registry (env DATABASE_URL). When set, champion, canary and shadow come from \
            the registry (the model directory's active bundle answers until the registry has a champion).
            """)
    var databaseURL: String?

    @Option(help: "Registry polling interval in ms, the fallback to LISTEN/NOTIFY (env TXAD_REGISTRY_POLL_MS; 1000).")
    var registryPollMs: Int?

    @Option(help: "Shadow queue capacity in vectors; more are dropped and counted (env TXAD_SHADOW_QUEUE; 20000).")
    var shadowQueue: Int?

    func run() async throws {
        let configuration: InternalServiceConfiguration
        let modelDirectory: String
        let url: String?
        let poll: Duration
        let queue: Int
        do {
            let settings = Settings()
            configuration = try InternalServiceConfiguration(
                options: options, environmentPrefix: "INFERENCE", defaultPort: 7002, defaultAdminPort: 9102)
            modelDirectory = settings.string(modelDir, flag: "model-dir", env: "TXAD_MODEL_DIR", default: "models")
            url = try settings.url(
                databaseURL, flag: "database-url", env: "DATABASE_URL", schemes: ["postgresql", "postgres"])
            poll = try settings.milliseconds(
                registryPollMs, flag: "registry-poll-ms", env: "TXAD_REGISTRY_POLL_MS", default: 1000,
                range: 100...60_000)
            queue = try settings.int(
                shadowQueue, flag: "shadow-queue", env: "TXAD_SHADOW_QUEUE", default: 20_000, range: 1...1_000_000)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        LoggingSetup.bootstrap(level: configuration.logLevel)
        let metrics = ServiceMetrics.bootstrap()
        var logger = Logger(label: "txad-inference")
        logger.logLevel = configuration.logLevel
        let health = HealthHolder()
        guard let url else {
            let service = InferenceService(modelDirectory: modelDirectory, logger: logger) { serving in
                health.set(serving)
            }
            try await InternalServiceHost.run(
                name: "txad-inference", configuration: configuration,
                extraConfiguration: [
                    ("model_source", "directory"), ("model_dir", modelDirectory),
                    ("model_version", service.modelVersion ?? "(none)"),
                ],
                services: [service], metrics: metrics, logger: logger,
                onStart: { server in
                    health.attach(server)
                    service.announce()
                })
            return
        }
        let database = try PostgresClient(url: url, logger: logger)
        let shadow = ShadowScorer(store: ShadowScoreStore(client: database), capacity: queue, logger: logger)
        let service = InferenceService(
            registrySourceWith: shadow, fallbackDirectory: modelDirectory, logger: logger
        ) { serving in health.set(serving) }
        let sync = RegistrySync(
            registry: BundleRegistry(client: database),
            listener: try PostgresListener(
                configuration: database.configuration, channel: RegistrySchema.notifyChannel, logger: logger),
            pollInterval: poll, service: service, logger: logger)
        service.setReloadHook { try await sync.syncOnce() }
        try? await sync.syncOnce()
        do {
            try await InternalServiceHost.run(
                name: "txad-inference", configuration: configuration,
                extraConfiguration: [
                    ("model_source", "registry"), ("database_url", Redaction.maskingSecrets(in: url)),
                    ("registry_poll", "\(poll)"), ("shadow_queue", "\(queue)"), ("fallback_model_dir", modelDirectory),
                    ("model_version", service.modelVersion ?? "(none)"),
                ],
                services: [service], background: [sync, shadow], metrics: metrics, logger: logger,
                onStart: { server in
                    health.attach(server)
                    service.announce()
                })
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }
}
