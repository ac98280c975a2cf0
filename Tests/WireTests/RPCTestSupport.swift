import Domain
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import Wire

/// An error that is not an `RPCError`, for the INTERNAL mapping.
struct PlainTestError: Error, CustomStringConvertible {
    var description: String { "the disk is on fire" }
}

/// An inference service whose `score` behaviour each test chooses; `modelInfo` echoes the call context and
/// `reload` fails, stalls or answers according to the requested version.
struct TestInferenceService: Inference.ServiceProtocol {
    var scoreBehavior: @Sendable (ScoreRequest, RPCContext) async throws -> ScoreResponse = { request, _ in
        ScoreResponse(scores: request.vectors.map { Fixtures.score($0.transactionID, reasons: 1) })
    }

    func score(_ request: ScoreRequest, context: RPCContext) async throws -> ScoreResponse {
        try await scoreBehavior(request, context)
    }

    func modelInfo(_ request: ModelInfoRequest, context: RPCContext) async throws -> ModelInfoResponse {
        ModelInfoResponse(
            version: context.requestID, created: context.deadline == nil ? "no deadline" : "deadline",
            featureNames: [context.method])
    }

    func reload(_ request: ReloadRequest, context: RPCContext) async throws -> ReloadResponse {
        switch request.version {
        case "rpc-error": throw RPCError(code: .failedPrecondition, message: "bundle v9 is corrupt")
        case "plain-error": throw PlainTestError()
        case "slow":
            try await Task.sleep(for: .seconds(30))
            return ReloadResponse(version: "slow")
        case "sleep-300ms":
            try await Task.sleep(for: .milliseconds(300))
            return ReloadResponse(version: "slept")
        case "huge": return ReloadResponse(previousVersion: String(repeating: "x", count: 200_000), version: "huge")
        case "nul": return ReloadResponse(version: "a\0b")
        default: return ReloadResponse(previousVersion: "v0", version: request.version)
        }
    }
}

/// A preprocessing service (non-idempotent method) that counts its calls.
final class CountingPreprocessingService: Preprocessing.ServiceProtocol {
    let calls = Atomic<Int>(0)

    func preprocess(_ request: PreprocessRequest, context: RPCContext) async throws -> PreprocessResponse {
        calls.wrappingAdd(1, ordering: .relaxed)
        return PreprocessResponse(
            vectors: request.transactions.map { Fixtures.featureVector($0.transactionID, count: 2) })
    }
}

extension Logger {
    static let quiet: Logger = {
        var logger = Logger(label: "wire-tests")
        logger.logLevel = .critical
        return logger
    }()
}

/// Runs a server on a free loopback port for the duration of `body`.
func withServer<R: Sendable>(
    services: [any RPCService], configuration: RPCServer.Configuration = RPCServer.Configuration(),
    _ body: @Sendable (RPCServer, Int) async throws -> R
) async throws -> R {
    let server = RPCServer(configuration: configuration, services: services, logger: .quiet)
    let address = try await server.listen()
    let port = try #require(address.port)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        do {
            let result = try await body(server, port)
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// Runs `body` with a client for `ports` on loopback, closing it afterwards.
func withClient<R: Sendable>(
    ports: [Int], connectionsPerTarget: Int = 1, defaultDeadline: Duration? = .seconds(10),
    backoff: Backoff = Backoff(initial: .milliseconds(50), maximum: .milliseconds(200)),
    maximumFrameSize: Int = RPCLimits.defaultMaximumFrameSize,
    _ body: @Sendable (RPCClient) async throws -> R
) async throws -> R {
    let client = RPCClient(
        configuration: RPCClient.Configuration(
            targets: ports.map { RPCClient.Target(host: "127.0.0.1", port: $0) },
            connectionsPerTarget: connectionsPerTarget, defaultDeadline: defaultDeadline,
            maximumFrameSize: maximumFrameSize, backoff: backoff),
        logger: .quiet)
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch {
        await client.close()
        throw error
    }
}

/// A port nothing listens on: bound once, then released.
func closedPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = try #require(channel.localAddress?.port)
    try await channel.close()
    return port
}

/// A TCP connection that speaks raw bytes, for sending malformed input.
struct RawConnection {
    static func with<R>(
        port: Int,
        _ body: (NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, NIOAsyncChannelOutboundWriter<ByteBuffer>)
            async throws -> R
    ) async throws -> R {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(inbound.makeAsyncIterator(), outbound)
        }
    }

    /// Reads the next frame's envelope; nil when the server closed the connection.
    static func nextEnvelope(
        _ iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, deframer: inout FrameDeframer
    ) async throws -> Envelope? {
        while true {
            if let frame = try deframer.nextFrame() {
                return try Envelope(serializedBytes: frame)
            }
            guard let bytes = try await iterator.next() else { return nil }
            deframer.append(bytes)
        }
    }

    /// A frame holding `envelope`.
    static func frame(_ envelope: Envelope) throws -> ByteBuffer {
        let body = try envelope.serialized()
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(body.count))
        buffer.writeBytes(body)
        return buffer
    }
}

/// A TCP server that accepts connections and then either ignores everything or closes on the first byte; counts
/// the reads it saw (one per request sent to it, for requests that fit one read).
final class MisbehavingServer: Sendable {
    enum Mode: Sendable {
        case blackHole
        case closeOnRead
    }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let mode: Mode
        let reads: Counter
        init(mode: Mode, reads: Counter) {
            self.mode = mode
            self.reads = reads
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            reads.increment()
            if case .closeOnRead = mode { context.close(promise: nil) }
        }
    }

    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func increment() { value.wrappingAdd(1, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }
    }

    let channel: any NIOCore.Channel
    let reads = Counter()

    init(mode: Mode) async throws {
        let reads = self.reads
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(mode: mode, reads: reads))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var port: Int { channel.localAddress?.port ?? 0 }

    func close() async {
        try? await channel.close()
    }
}

/// Holds handlers until released, counting how many are waiting.
final class Gate: Sendable {
    private let state = Mutex<(entered: Int, open: Bool, waiters: [CheckedContinuation<Void, Never>])>((0, false, []))

    /// Handlers currently held.
    var entered: Int { state.withLock { $0.entered } }

    /// Waits until ``open()`` (returns at once if already open).
    func pass() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                state.entered += 1
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Lets every held and later handler through.
    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Polls until `count` handlers are held.
    func waitUntilEntered(_ count: Int) async throws {
        while entered < count {
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
