import Logging

/// What a server handler knows about the call it is serving.
public struct RPCContext: Sendable {
    /// The fully qualified method, e.g. `txad.v1.Inference/Score`.
    public let method: String
    /// The caller's request id (from the edge's `X-Request-ID`); empty when the caller sent none.
    public let requestID: String
    /// When the caller stops waiting; nil when it sent no deadline. The server answers `DEADLINE_EXCEEDED` and
    /// cancels the handler's task at this instant, so long work should check `Task.isCancelled` or use
    /// ``timeRemaining``.
    public let deadline: ContinuousClock.Instant?
    /// The peer's address, e.g. `[IPv4]127.0.0.1/127.0.0.1:53422`.
    public let remoteAddress: String
    /// The server's logger with `rpc.method` and `request_id` metadata.
    public var logger: Logger {
        var logger = baseLogger
        logger[metadataKey: "rpc.method"] = .string(method)
        if !requestID.isEmpty {
            logger[metadataKey: "request_id"] = .string(requestID)
        }
        return logger
    }

    private let baseLogger: Logger

    /// Creates a context (the server does this; tests of handlers may too).
    public init(
        method: String, requestID: String = "", deadline: ContinuousClock.Instant? = nil, remoteAddress: String = "",
        logger: Logger = Logger(label: "txad.rpc")
    ) {
        self.method = method
        self.requestID = requestID
        self.deadline = deadline
        self.remoteAddress = remoteAddress
        self.baseLogger = logger
    }

    /// Time left until ``deadline``; nil without a deadline, zero or negative once it passed.
    public var timeRemaining: Duration? {
        deadline.map { ContinuousClock.now.duration(to: $0) }
    }
}
