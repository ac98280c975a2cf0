import ArgumentParser
import Logging
import Wire

/// Command-line options every internal service (preprocessing, inference, alerts) takes.
///
/// Each option falls back to a `TXAD_<SERVICE>_*` environment variable, then to the SPEC §1 default.
public struct InternalServiceOptions: ParsableArguments, Sendable {
    @Option(help: "Address to listen on for frames (env TXAD_<SERVICE>_HOST; default 127.0.0.1).")
    public var host: String?

    @Option(help: "Port for frames (env TXAD_<SERVICE>_PORT).")
    public var port: Int?

    @Option(help: "Port for admin HTTP: /metrics, /health/live, /health/ready (env TXAD_<SERVICE>_ADMIN_PORT).")
    public var adminPort: Int?

    @Option(help: "Largest accepted frame in bytes (env TXAD_MAX_FRAME_BYTES; default 16 MiB).")
    public var maxFrameBytes: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env TXAD_LOG_LEVEL).")
    public var logLevel: String?

    public init() {}
}

/// The resolved, validated listening configuration of an internal service.
public struct InternalServiceConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var adminPort: Int
    public var maximumFrameSize: Int
    public var logLevel: Logger.Level
    /// Mutual TLS for the frame port (`TXAD_INTERNAL_TLS_*`); nil for plain TCP.
    public var tls: WireTLSConfiguration?

    /// Resolves options against the environment (`TXAD_<PREFIX>_HOST`, `…_PORT`, `…_ADMIN_PORT`) and defaults.
    public init(
        options: InternalServiceOptions, environmentPrefix prefix: String, defaultPort: Int, defaultAdminPort: Int,
        settings: Settings = Settings()
    ) throws {
        host = settings.string(options.host, flag: "host", env: "TXAD_\(prefix)_HOST", default: "127.0.0.1")
        port = try settings.port(options.port, env: "TXAD_\(prefix)_PORT", default: defaultPort, allowEphemeral: true)
        adminPort = try settings.port(
            options.adminPort, flag: "admin-port", env: "TXAD_\(prefix)_ADMIN_PORT", default: defaultAdminPort,
            allowEphemeral: true)
        maximumFrameSize = try settings.int(
            options.maxFrameBytes, flag: "max-frame-bytes", env: "TXAD_MAX_FRAME_BYTES", default: 16 << 20,
            range: 1024...(1 << 30))
        logLevel = try LoggingSetup.level(
            named: settings.string(options.logLevel, flag: "log-level", env: "TXAD_LOG_LEVEL", default: "info"),
            setting: "--log-level / TXAD_LOG_LEVEL")
        tls = try settings.internalTLS()
        if port != 0, port == adminPort {
            throw ConfigurationError(setting: "--admin-port", reason: "must differ from --port (\(port))")
        }
    }

    /// The values printed at start.
    public var printable: [(String, String)] {
        [
            ("host", host), ("port", String(port)), ("admin_port", String(adminPort)),
            ("max_frame_bytes", String(maximumFrameSize)), ("log_level", logLevel.rawValue),
            ("internal_tls", tls.map { "mutual (CA \($0.trustedCAFile))" } ?? "off"),
        ]
    }
}
