import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A txad RPC client: pooled, multiplexed connections to one or more replicas of a service.
///
/// ```swift
/// let client = RPCClient(configuration: .init(targets: [.init(host: "127.0.0.1", port: 7002)],
///                                             connectionsPerTarget: 4, defaultDeadline: .seconds(2)))
/// let inference = InferenceClient(wrapping: client)
/// let scores = try await inference.score(request, options: .init(deadline: .milliseconds(500), requestID: id))
/// ```
///
/// Connections are made lazily on first use (no background task is needed); ``run()`` is optional and only ties
/// the client's lifetime to a task (it closes the connections when cancelled), and ``close()`` closes them
/// directly. Many calls share each connection, matched by call id and answered in any order. Calls go round-robin
/// over ready connections of all targets. Every failure is an ``RPCError``: `DEADLINE_EXCEEDED` at the deadline,
/// `UNAVAILABLE` at once when no target can be reached, and the server's code otherwise. A call that failed with
/// `UNAVAILABLE` is tried again on another connection (up to `maximumAttempts`, within its deadline) when its
/// method is idempotent or its request was never sent.
public final class RPCClient: Sendable {
    /// A server address.
    public struct Target: Sendable, Hashable, CustomStringConvertible {
        /// Host name or IP address.
        public var host: String
        /// TCP port.
        public var port: Int

        /// Creates a target.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// A readable form for logs and error messages.

        /// A readable form for logs and error messages.
        public var description: String { "\(host):\(port)" }
    }

    /// Client settings.
    public struct Configuration: Sendable {
        /// The replicas to call, round-robin.
        public var targets: [Target]
        /// Connections per target (default 2); more connections spread work over more event loops.
        public var connectionsPerTarget: Int
        /// Deadline of calls that do not set one; nil for none (default 2 s).
        public var defaultDeadline: Duration?
        /// Largest frame sent or accepted, in bytes (default 16 MiB).
        public var maximumFrameSize: Int
        /// Longest wait for a TCP connect (default 1 s).
        public var connectTimeout: Duration
        /// Waits between failed connects to the same target.
        public var backoff: Backoff
        /// Attempts per call, first included, for calls that may be retried (default 3).
        public var maximumAttempts: Int
        /// Mutual TLS; nil connects over plain TCP.
        public var tls: WireTLSConfiguration?

        /// Creates a configuration.
        public init(
            targets: [Target], connectionsPerTarget: Int = 2, defaultDeadline: Duration? = .seconds(2),
            maximumFrameSize: Int = RPCLimits.defaultMaximumFrameSize, connectTimeout: Duration = .seconds(1),
            backoff: Backoff = Backoff(), maximumAttempts: Int = 3, tls: WireTLSConfiguration? = nil
        ) {
            self.tls = tls
            self.targets = targets
            self.connectionsPerTarget = connectionsPerTarget
            self.defaultDeadline = defaultDeadline
            self.maximumFrameSize = maximumFrameSize
            self.connectTimeout = connectTimeout
            self.backoff = backoff
            self.maximumAttempts = maximumAttempts
        }

        /// Checks every field; the error names the field and the reason. Calls made with an invalid configuration
        /// fail with this error, so executables should call it at startup.
        public func validate() throws(RPCError) {
            guard !targets.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "targets: at least one host:port is required")
            }
            for target in targets {
                guard !target.host.isEmpty, (1...65535).contains(target.port) else {
                    throw RPCError(
                        code: .invalidArgument, message: "targets: '\(target)' needs a host and a port 1...65535")
                }
            }
            guard (1...64).contains(connectionsPerTarget) else {
                throw RPCError(
                    code: .invalidArgument, message: "connectionsPerTarget must be 1...64, got \(connectionsPerTarget)")
            }
            if let defaultDeadline, defaultDeadline <= .zero {
                throw RPCError(code: .invalidArgument, message: "defaultDeadline must be positive")
            }
            guard maximumFrameSize >= 64 && maximumFrameSize <= Int(UInt32.max) else {
                throw RPCError(code: .invalidArgument, message: "maximumFrameSize must be 64...\(UInt32.max) bytes")
            }
            guard connectTimeout > .zero else {
                throw RPCError(code: .invalidArgument, message: "connectTimeout must be positive")
            }
            guard (1...10).contains(maximumAttempts) else {
                throw RPCError(
                    code: .invalidArgument, message: "maximumAttempts must be 1...10, got \(maximumAttempts)")
            }
        }
    }

    /// The configuration the client was created with.
    public let configuration: Configuration

    private let configurationError: RPCError?
    private let pool: ConnectionPool
    private let group: any EventLoopGroup
    private let nextCallID = Atomic<UInt64>(0)
    private let closed = Atomic<Bool>(false)
    private let closeWaiters = Mutex<[EventLoopPromise<Void>]>([])
    private let executors: [EventLoopTaskExecutor]
    private let nextExecutor = Atomic<Int>(0)

    /// Creates a client; nothing connects until the first call.
    ///
    /// - Parameters:
    ///   - eventLoopGroup: loops for the connections; defaults to NIO's shared singleton group.
    public init(
        configuration: Configuration, eventLoopGroup: (any EventLoopGroup)? = nil,
        logger: Logger = Logger(label: "txad.rpc.client")
    ) {
        self.configuration = configuration
        do {
            try configuration.validate()
            self.configurationError = nil
        } catch {
            self.configurationError = error
        }
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        self.group = group
        self.pool = ConnectionPool(configuration: configuration, group: group, logger: logger)
        self.executors = group.makeIterator().map { EventLoopTaskExecutor(eventLoop: $0) }
    }

    /// A task executor running on one of the client's event loops (the next one, round-robin).
    ///
    /// Optional, for callers that make many calls: run them with this executor preferred, e.g.
    /// `withTaskExecutorPreference(client.eventLoopTaskExecutor()) { … }` or
    /// `group.addTask(executorPreference: executor) { … }`. Calls from such a task use a connection on that loop,
    /// so sending the request and resuming with the response happen on the connection's own thread without
    /// handing work between threads; `txad bench rpc` measures about a quarter less CPU per call this way.
    /// The task must not block (it shares the thread with the connections).
    public func eventLoopTaskExecutor() -> any TaskExecutor {
        let index = nextExecutor.wrappingAdd(1, ordering: .relaxed).oldValue
        return executors[(index % executors.count + executors.count) % executors.count]
    }

    /// Calls `method` with `request` and returns its response.
    ///
    /// Throws ``RPCError``: the server's status for a failed call, `DEADLINE_EXCEEDED`, `UNAVAILABLE` (no
    /// connection, or the connection closed), `CANCELLED` when the calling task is cancelled,
    /// `INVALID_ARGUMENT`/`RESOURCE_EXHAUSTED` when the request cannot be encoded (NUL in a string, too large).
    public func unary<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, options: CallOptions = CallOptions()
    ) async throws(RPCError) -> Response {
        if let configurationError { throw configurationError }
        if closed.load(ordering: .relaxed) {
            throw RPCError(code: .unavailable, message: "the RPC client was closed")
        }
        let deadline = (options.deadline ?? configuration.defaultDeadline).map { NIODeadline.now() + TimeAmount($0) }
        var attempt = 0
        while true {
            attempt += 1
            let failure: CallFailure
            switch await attemptCall(method, request, requestID: options.requestID, deadline: deadline) {
            case .success(let response):
                return response
            case .failure(let error):
                failure = error
            }
            let retryable = failure.error.code == .unavailable && (!failure.wasSent || method.isIdempotent)
            let timeLeft = deadline.map { NIODeadline.now() < $0 } ?? true
            guard retryable, attempt < configuration.maximumAttempts, timeLeft, !Task.isCancelled else {
                throw failure.error
            }
        }
    }

    private func attemptCall<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, requestID: String, deadline: NIODeadline?
    ) async -> Result<Response, CallFailure> {
        let connection: ClientConnection
        switch await pool.acquire(deadline: deadline) {
        case .success(let acquired):
            connection = acquired
        case .failure(let failure):
            return .failure(failure)
        }
        var deadlineMillis: UInt32 = 0
        if let deadline {
            let remaining = (deadline - .now()).nanoseconds
            guard remaining > 0 else {
                return .failure(
                    CallFailure(
                        error: RPCError(
                            code: .deadlineExceeded, message: "the deadline passed before \(method.fullName) was sent"),
                        wasSent: false))
            }
            deadlineMillis = UInt32(clamping: (remaining + 999_999) / 1_000_000)
        }
        let callID = nextCallID.wrappingAdd(1, ordering: .relaxed).newValue
        let frame: ByteBuffer
        do {
            frame = try EnvelopeCodec.makeFrame(
                head: EnvelopeHead(
                    callID: callID, method: method.fullName, deadlineMillis: deadlineMillis, requestID: requestID),
                payload: request, maximumFrameSize: configuration.maximumFrameSize,
                allocator: connection.channel.allocator)
        } catch {
            return .failure(CallFailure(error: error, wasSent: false))
        }
        return await connection.call(
            callID: callID, frame: frame, deadline: deadline, method: method.fullName, as: Response.self)
    }

    /// Keeps the client open until the calling task is cancelled or ``close()`` is called, then closes every
    /// connection. Optional: calls work without it.
    public func run() async throws {
        let promise = group.next().makePromise(of: Void.self)
        let alreadyClosed = closeWaiters.withLock { waiters -> Bool in
            if closed.load(ordering: .relaxed) { return true }
            waiters.append(promise)
            return false
        }
        if alreadyClosed { promise.succeed() }
        await withTaskCancellationHandler {
            try? await promise.futureResult.get()
        } onCancel: {
            promise.succeed()
        }
        await close()
    }

    /// Closes every connection; calls in flight fail with `UNAVAILABLE`, later calls too.
    public func close() async {
        let waiters = closeWaiters.withLock { waiters -> [EventLoopPromise<Void>] in
            closed.store(true, ordering: .relaxed)
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiters { waiter.succeed() }
        await pool.shutDown()
    }
}
