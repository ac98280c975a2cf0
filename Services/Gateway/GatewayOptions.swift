import ArgumentParser
import Foundation
import Auth
import Logging
import ServiceKit

/// Command-line options of `txad-gateway`; each falls back to an environment variable, then a default.
public struct GatewayOptions: ParsableArguments, Sendable {
    @Option(help: "Address to listen on (env TXAD_GATEWAY_HOST; default 127.0.0.1).")
    public var host: String?
    @Option(help: "HTTP port (env TXAD_GATEWAY_PORT; default 8080).")
    public var port: Int?
    @Option(help: "Preprocessing replicas, host:port[,host:port…] (env TXAD_PREPROCESSING_ADDR; default 127.0.0.1:7001).")
    public var preprocessing: String?
    @Option(help: "Inference replicas (env TXAD_INFERENCE_ADDR; default 127.0.0.1:7002).")
    public var inference: String?
    @Option(help: "Alerts replicas (env TXAD_ALERTS_ADDR; default 127.0.0.1:7003).")
    public var alerts: String?
    @Option(help: "Redis for the prediction cache (env REDIS_URL); without it there is no cache.")
    public var redisURL: String?
    @Option(help: "Seconds a prediction stays cached (env TXAD_CACHE_TTL_SECONDS; default 86400).")
    public var cacheTTLSeconds: Int?
    @Option(help: "Most items in one /predict/batch (env TXAD_MAX_BATCH_ITEMS; default 10000).")
    public var maxBatchItems: Int?
    @Option(help: "Largest /predict/batch body in bytes (env TXAD_MAX_BATCH_BYTES; default 16 MiB).")
    public var maxBatchBytes: Int?
    @Option(help: "Deadline of one request across internal calls, ms (env TXAD_REQUEST_DEADLINE_MS; default 2000).")
    public var requestDeadlineMs: Int?
    @Option(help: "Deadline of one /predict/batch request, ms (env TXAD_BATCH_DEADLINE_MS; default 30000).")
    public var batchDeadlineMs: Int?
    @Option(help: "Items per internal call in batches (env TXAD_CHUNK_SIZE; default 500).")
    public var chunkSize: Int?
    @Option(
        help: """
            Groups of concurrent /predict requests scored at once (env TXAD_COALESCED_GROUPS; default 4).
            """)
    public var coalescedGroups: Int?
    @Option(help: "Spool directory for alerts while the alerts service is down (env TXAD_SPOOL_DIR; default .txad/spool).")
    public var spoolDir: String?
    @Option(help: "Authentication: on or off (env TXAD_AUTH; default on). Off makes every caller an admin.")
    public var auth: String?
    @Option(help: "PostgreSQL holding the API keys (env DATABASE_URL); without it API keys are not accepted.")
    public var databaseURL: String?
    @Option(help: "JWKS file with the RS256/ES256 keys for JWTs (env TXAD_JWT_JWKS_FILE).")
    public var jwtJwksFile: String?
    @Option(help: "Proxies whose X-Forwarded-For is believed, CIDRs (env TXAD_TRUSTED_PROXIES).")
    public var trustedProxies: String?
    @Option(help: "HTTPS certificate chain, PEM (env TXAD_TLS_CERT_FILE); with --tls-key-file the gateway serves HTTPS.")
    public var tlsCertFile: String?
    @Option(help: "HTTPS private key, PEM (env TXAD_TLS_KEY_FILE).")
    public var tlsKeyFile: String?
    @Option(help: "Log level (env TXAD_LOG_LEVEL; default info).")
    public var logLevel: String?

    public init() {}

    /// Resolves and validates the configuration.
    public func resolve(settings: Settings = Settings()) throws -> (GatewayConfiguration, Logger.Level) {
        var configuration = GatewayConfiguration(
            host: settings.string(host, flag: "host", env: "TXAD_GATEWAY_HOST", default: "127.0.0.1"),
            port: try settings.port(port, env: "TXAD_GATEWAY_PORT", default: 8080, allowEphemeral: true),
            preprocessing: try settings.addresses(
                preprocessing, flag: "preprocessing", env: "TXAD_PREPROCESSING_ADDR", default: "127.0.0.1:7001"),
            inference: try settings.addresses(
                inference, flag: "inference", env: "TXAD_INFERENCE_ADDR", default: "127.0.0.1:7002"),
            alerts: try settings.addresses(alerts, flag: "alerts", env: "TXAD_ALERTS_ADDR", default: "127.0.0.1:7003"),
            redisURL: try settings.url(redisURL, flag: "redis-url", env: "REDIS_URL", schemes: ["redis"]),
            cacheTTL: .seconds(
                try settings.int(
                    cacheTTLSeconds, flag: "cache-ttl-seconds", env: "TXAD_CACHE_TTL_SECONDS", default: 86_400,
                    range: 1...(30 * 86_400))),
            maximumBatchItems: try settings.int(
                maxBatchItems, flag: "max-batch-items", env: "TXAD_MAX_BATCH_ITEMS", default: 10_000,
                range: 1...1_000_000),
            maximumBatchBodyBytes: try settings.int(
                maxBatchBytes, flag: "max-batch-bytes", env: "TXAD_MAX_BATCH_BYTES", default: 16 << 20,
                range: 1024...(1 << 30)),
            requestDeadline: try settings.milliseconds(
                requestDeadlineMs, flag: "request-deadline-ms", env: "TXAD_REQUEST_DEADLINE_MS", default: 2000,
                range: 10...600_000),
            batchDeadline: try settings.milliseconds(
                batchDeadlineMs, flag: "batch-deadline-ms", env: "TXAD_BATCH_DEADLINE_MS", default: 30_000,
                range: 10...600_000),
            chunkSize: try settings.int(chunkSize, flag: "chunk-size", env: "TXAD_CHUNK_SIZE", default: 500, range: 1...10_000),
            coalescedGroupsInFlight: try settings.int(
                coalescedGroups, flag: "coalesced-groups", env: "TXAD_COALESCED_GROUPS", default: 4, range: 1...256),
            spoolDirectory: settings.string(spoolDir, flag: "spool-dir", env: "TXAD_SPOOL_DIR", default: ".txad/spool"),
            databaseURL: try settings.url(
                databaseURL, flag: "database-url", env: "DATABASE_URL", schemes: ["postgresql", "postgres"]),
            allowSelfApproval: try settings.bool(
                nil, flag: "allow-self-approval", env: "TXAD_ALLOW_SELF_APPROVAL", default: false))
        var settings = settings
        if let auth { settings.environment["TXAD_AUTH"] = auth }
        configuration.access = try AccessConfiguration.resolve(
            settings: settings, auth: nil, databaseURL: databaseURL, jwtJWKSFile: jwtJwksFile,
            trustedProxies: trustedProxies)
        configuration.internalTLS = try settings.internalTLS()
        let certificate = settings.optionalString(tlsCertFile, env: "TXAD_TLS_CERT_FILE")
        let key = settings.optionalString(tlsKeyFile, env: "TXAD_TLS_KEY_FILE")
        switch (certificate, key) {
        case (nil, nil): break
        case (let certificate?, let key?):
            for (name, path) in [("--tls-cert-file / TXAD_TLS_CERT_FILE", certificate), ("--tls-key-file / TXAD_TLS_KEY_FILE", key)]
            where !FileManager.default.isReadableFile(atPath: path) {
                throw ConfigurationError(setting: name, reason: "cannot read '\(path)'")
            }
            configuration.https = (certificate, key)
        default:
            throw ConfigurationError(
                setting: "--tls-cert-file / --tls-key-file", reason: "give both the certificate and the key, or neither")
        }
        let level = try LoggingSetup.level(
            named: settings.string(logLevel, flag: "log-level", env: "TXAD_LOG_LEVEL", default: "info"),
            setting: "--log-level / TXAD_LOG_LEVEL")
        return (configuration, level)
    }
}
