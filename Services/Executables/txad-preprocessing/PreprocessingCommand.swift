import ArgumentParser
import Logging
import PreprocessingService
import ServiceKit
import Stores

/// `txad-preprocessing`: the preprocessing service (frames on --port, admin HTTP on --admin-port).
@main
struct PreprocessingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txad-preprocessing",
        abstract: "txad preprocessing service: transactions → feature vectors, user history in Redis.")

    @OptionGroup var options: InternalServiceOptions

    @Option(help: "Redis URL for user state (env REDIS_URL); without it every answer is cold-start and degraded.")
    var redisURL: String?

    @Option(help: "Model directory whose active bundle supplies the feature priors (env TXAD_MODEL_DIR; default models).")
    var modelDir: String?

    @Option(help: "Days an inactive user's state is kept (env TXAD_STATE_TTL_DAYS; default 90).")
    var stateTTLDays: Int?

    func run() async throws {
        let settings = Settings()
        let configuration: InternalServiceConfiguration
        let url: String?
        let modelDirectory: String
        let ttlDays: Int
        do {
            configuration = try InternalServiceConfiguration(
                options: options, environmentPrefix: "PREPROCESSING", defaultPort: 7001, defaultAdminPort: 9101)
            url = try settings.url(redisURL, flag: "redis-url", env: "REDIS_URL", schemes: ["redis"])
            modelDirectory = settings.string(modelDir, flag: "model-dir", env: "TXAD_MODEL_DIR", default: "models")
            ttlDays = try settings.int(
                stateTTLDays, flag: "state-ttl-days", env: "TXAD_STATE_TTL_DAYS", default: 90, range: 1...3650)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        LoggingSetup.bootstrap(level: configuration.logLevel)
        let metrics = ServiceMetrics.bootstrap()
        var logger = Logger(label: "txad-preprocessing")
        logger.logLevel = configuration.logLevel
        let redis = try url.map { try RedisClient(url: $0, logger: logger) }
        let provider = ExtractorProvider(
            source: { try ActiveBundlePriors.load(modelDirectory: modelDirectory) }, logger: logger)
        let service = PreprocessingService(
            redis: redis, stateTTL: .seconds(ttlDays * 86_400), extractors: provider, logger: logger)
        do {
            try await InternalServiceHost.run(
                name: "txad-preprocessing", configuration: configuration,
                extraConfiguration: [
                    ("redis_url", url.map(Redaction.maskingSecrets(in:)) ?? "(none: cold-start features only)"),
                    ("model_dir", modelDirectory), ("state_ttl_days", String(ttlDays)),
                    ("priors_version", provider.version ?? "(none: neutral priors)"),
                ],
                services: [service],
                background: [ExtractorRefresher(provider: provider, interval: .seconds(5))],
                metrics: metrics, logger: logger,
                readiness: {
                    guard let redis else {
                        return [.init(name: "redis", ready: true, detail: "not configured (degraded features)")]
                    }
                    do {
                        try await redis.ping()
                        return [.init(name: "redis", ready: true, detail: "up")]
                    } catch {
                        // Still ready: answers degrade to cold-start features instead of failing.
                        return [.init(name: "redis", ready: true, detail: "down (degraded features)")]
                    }
                })
        } catch {
            await redis?.shutdown()
            throw error
        }
        await redis?.shutdown()
    }
}
