import Auth
import ServiceKit
import Wire

/// Settings of the gateway, resolved from flags, `TXAD_*` variables and defaults (see ``GatewayOptions``).
public struct GatewayConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Preprocessing replicas (frames).
    public var preprocessing: [HostAndPort]
    /// Inference replicas (frames); batches are fanned out across all of them.
    public var inference: [HostAndPort]
    /// Alerts replicas (frames).
    public var alerts: [HostAndPort]
    /// Redis for the prediction cache and duplicate suppression; nil runs without a cache.
    public var redisURL: String?
    /// How long a prediction stays cached (a repeated `transaction_id` within it is answered from the cache).
    public var cacheTTL: Duration
    /// Largest `/predict/batch` item count; more gives 413.
    public var maximumBatchItems: Int
    /// Largest request body for `/predict/batch`; more gives 413.
    public var maximumBatchBodyBytes: Int
    /// Largest request body for `/predict`.
    public var maximumSingleBodyBytes: Int
    /// Deadline of one request across all internal calls; a dependency that is down gives 503 within it.
    public var requestDeadline: Duration
    /// Deadline of one `/predict/batch` request (a batch of 10,000 needs more than a single prediction).
    public var batchDeadline: Duration
    /// Items per internal call when a batch is split into chunks that run concurrently.
    public var chunkSize: Int
    /// Groups of concurrent `/predict` requests scored at the same time (each group is one set of internal calls of
    /// at most ``chunkSize`` requests).
    public var coalescedGroupsInFlight: Int
    /// RPC connections per internal service replica.
    public var connectionsPerTarget: Int
    /// Directory of the gateway's durable spool (records for the alerts service while it is unreachable).
    public var spoolDirectory: String
    /// PostgreSQL with the model registry, for the `/models` admin routes; nil answers them with 503.
    public var databaseURL: String?
    /// `TXAD_ALLOW_SELF_APPROVAL=1`: an admin may approve a version they registered (local use).
    public var allowSelfApproval: Bool
    /// Authentication and rate limits (off unless given; `txad-gateway` resolves it on by default).
    public var access: AccessConfiguration = .disabled
    /// Mutual TLS towards the internal services (`TXAD_INTERNAL_TLS_*`); nil for plain TCP.
    public var internalTLS: WireTLSConfiguration?
    /// HTTPS (HTTP/1.1 and HTTP/2 by ALPN) with this PEM certificate chain and key (`TXAD_TLS_CERT_FILE`,
    /// `TXAD_TLS_KEY_FILE`); nil serves plain HTTP.
    public var https: (certificateFile: String, privateKeyFile: String)?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, preprocessing: [HostAndPort], inference: [HostAndPort],
        alerts: [HostAndPort], redisURL: String?, cacheTTL: Duration = .seconds(86_400),
        maximumBatchItems: Int = 10_000, maximumBatchBodyBytes: Int = 16 << 20, maximumSingleBodyBytes: Int = 64 << 10,
        requestDeadline: Duration = .seconds(2), batchDeadline: Duration = .seconds(30), chunkSize: Int = 500,
        coalescedGroupsInFlight: Int = 4, connectionsPerTarget: Int = 4,
        spoolDirectory: String, databaseURL: String? = nil, allowSelfApproval: Bool = false
    ) {
        self.databaseURL = databaseURL
        self.allowSelfApproval = allowSelfApproval
        self.host = host
        self.port = port
        self.preprocessing = preprocessing
        self.inference = inference
        self.alerts = alerts
        self.redisURL = redisURL
        self.cacheTTL = cacheTTL
        self.maximumBatchItems = maximumBatchItems
        self.maximumBatchBodyBytes = maximumBatchBodyBytes
        self.maximumSingleBodyBytes = maximumSingleBodyBytes
        self.requestDeadline = requestDeadline
        self.batchDeadline = batchDeadline
        self.chunkSize = chunkSize
        self.coalescedGroupsInFlight = coalescedGroupsInFlight
        self.connectionsPerTarget = connectionsPerTarget
        self.spoolDirectory = spoolDirectory
    }

    /// The values printed at start (secrets masked).
    public var printable: [(String, String)] {
        [
            ("host", host), ("port", String(port)),
            ("preprocessing", preprocessing.map(\.description).joined(separator: ",")),
            ("inference", inference.map(\.description).joined(separator: ",")),
            ("alerts", alerts.map(\.description).joined(separator: ",")),
            ("redis_url", redisURL.map(Redaction.maskingSecrets(in:)) ?? "(none: no prediction cache)"),
            ("cache_ttl_seconds", String(cacheTTL.components.seconds)),
            ("max_batch_items", String(maximumBatchItems)), ("max_batch_body_bytes", String(maximumBatchBodyBytes)),
            ("max_single_body_bytes", String(maximumSingleBodyBytes)),
            ("request_deadline_ms", Self.milliseconds(requestDeadline)),
            ("batch_deadline_ms", Self.milliseconds(batchDeadline)),
            ("chunk_size", String(chunkSize)), ("coalesced_groups_in_flight", String(coalescedGroupsInFlight)),
            ("connections_per_target", String(connectionsPerTarget)),
            ("spool_dir", spoolDirectory),
            ("database_url", databaseURL.map(Redaction.maskingSecrets(in:)) ?? "(none: /models routes answer 503)"),
            ("allow_self_approval", String(allowSelfApproval)),
            ("https", https.map { "on (\($0.certificateFile))" } ?? "off"),
            ("internal_tls", internalTLS.map { "mutual (CA \($0.trustedCAFile))" } ?? "off"),
        ]
    }

    private static func milliseconds(_ d: Duration) -> String {
        String(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }
}
