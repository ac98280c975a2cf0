import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A txad RPC server: accepts connections, serves many calls in flight per connection, and hosts `txad.v1.Health`.
///
/// ```swift
/// let server = RPCServer(configuration: .init(host: "0.0.0.0", port: 7002), services: [inference], logger: logger)
/// server.healthStatus.set(.notServing, for: Inference.serviceName)   // until the model is loaded
/// try await server.run()                                            // serves until cancelled
/// ```
///
/// Lifecycle: ``listen()`` binds (port 0 picks a free port; ``localAddress`` reports it); ``run()`` binds if needed
/// and serves until its task is cancelled or ``beginGracefulShutdown()`` is called. Graceful shutdown stops
/// accepting, reports every service `NOT_SERVING`, answers new calls on open connections with `UNAVAILABLE`,
/// lets calls in flight finish for up to `shutdownGracePeriod`, then closes what is left; cancellation closes
/// every connection at once. A bad frame or a failing handler only ever affects its own call or connection.
///
/// Handlers start on the connection's event loop and run there until they first suspend (a handler that does not
/// suspend answers without any thread hop); after a suspension they continue on Swift's global executor. A
/// handler that computes for long without suspending holds its event loop meanwhile, delaying the other
/// connections on that loop: such a handler should do its heavy part after an `await` (e.g. in a child task).
public final class RPCServer: Sendable {
    /// Server settings.
    public struct Configuration: Sendable {
        /// Address to bind, e.g. `0.0.0.0` or `127.0.0.1`.
        public var host: String
        /// Port to bind; 0 picks a free one (see ``RPCServer/localAddress``).
        public var port: Int
        /// Largest frame accepted or sent, in bytes (default 16 MiB). A larger request closes its connection
        /// (after an error reply when its call id is readable); a larger response is replaced by
        /// `RESOURCE_EXHAUSTED`.
        public var maximumFrameSize: Int
        /// How long graceful shutdown waits for calls in flight (default 10 s).
        public var shutdownGracePeriod: Duration
        /// Calls one connection may have in flight; more are answered `RESOURCE_EXHAUSTED` (default 10,000).
        public var maximumConcurrentCallsPerConnection: Int
        /// Mutual TLS; nil serves plain TCP.
        public var tls: WireTLSConfiguration?

        /// Creates a configuration.
        public init(
            host: String = "127.0.0.1", port: Int = 0, maximumFrameSize: Int = RPCLimits.defaultMaximumFrameSize,
            shutdownGracePeriod: Duration = .seconds(10), maximumConcurrentCallsPerConnection: Int = 10_000,
            tls: WireTLSConfiguration? = nil
        ) {
            self.tls = tls
            self.host = host
            self.port = port
            self.maximumFrameSize = maximumFrameSize
            self.shutdownGracePeriod = shutdownGracePeriod
            self.maximumConcurrentCallsPerConnection = maximumConcurrentCallsPerConnection
        }

        func validate() throws(RPCError) {
            guard (0...65535).contains(port) else {
                throw RPCError(code: .invalidArgument, message: "port must be 0...65535, got \(port)")
            }
            guard maximumFrameSize >= 64 && maximumFrameSize <= Int(UInt32.max) else {
                throw RPCError(
                    code: .invalidArgument,
                    message: "maximumFrameSize must be 64...\(UInt32.max) bytes, got \(maximumFrameSize)")
            }
            guard maximumConcurrentCallsPerConnection > 0 else {
                throw RPCError(code: .invalidArgument, message: "maximumConcurrentCallsPerConnection must be positive")
            }
        }
    }

    private enum Lifecycle {
        case idle
        case binding
        case listening(any Channel)
        case stopping(any Channel)
        case stopped
    }

    private struct State {
        var lifecycle: Lifecycle = .idle
        var graceful = true
        var connections: [ObjectIdentifier: Connection] = [:]
    }

    private struct Connection {
        let channel: any Channel
        let handler: NIOLoopBound<ServerConnectionHandler>
    }

    /// The configuration the server was created with.
    public let configuration: Configuration
    /// Per-service serving status reported by `txad.v1.Health/Check`.
    public let healthStatus: HealthStatusRegistry

    private let dispatcher: ServerDispatcher
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = Mutex(State())

    /// Creates a server hosting `services` plus `txad.v1.Health`.
    ///
    /// - Parameters:
    ///   - eventLoopGroup: loops for the listener and connections; defaults to NIO's shared singleton group.
    public init(
        configuration: Configuration, services: [any RPCService],
        eventLoopGroup: (any EventLoopGroup)? = nil, logger: Logger = Logger(label: "txad.rpc.server")
    ) {
        self.configuration = configuration
        self.logger = logger
        self.healthStatus = HealthStatusRegistry(services: services.map(\.serviceName))
        var router = RPCRouter()
        for service in services {
            service.registerMethods(with: &router)
        }
        if !router.hasHandler(forMethod: Health.Method.check.fullName) {
            HealthService(registry: healthStatus).registerMethods(with: &router)
        }
        self.dispatcher = ServerDispatcher(
            router: router, maximumFrameSize: configuration.maximumFrameSize,
            maximumConcurrentCallsPerConnection: configuration.maximumConcurrentCallsPerConnection, logger: logger)
        self.group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
    }

    /// The bound address once listening (with the real port when configured with port 0); nil before.
    public var localAddress: SocketAddress? {
        state.withLock { state in
            if case .listening(let channel) = state.lifecycle { return channel.localAddress }
            return nil
        }
    }

    /// The fully qualified names of the methods this server answers.
    public var methods: [String] { dispatcher.methodNames }

    /// Binds the listening socket (once) and returns the bound address. ``run()`` calls this itself; call it
    /// first when you need the port before serving (e.g. with port 0 in tests).
    ///
    /// Throws `INVALID_ARGUMENT` for a bad configuration, `UNAVAILABLE` when the address cannot be bound, and
    /// `FAILED_PRECONDITION` after the server stopped.
    @discardableResult
    public func listen() async throws(RPCError) -> SocketAddress {
        try configuration.validate()
        let mustBind: Bool = try state.withLock { (state) throws(RPCError) -> Bool in
            switch state.lifecycle {
            case .idle:
                state.lifecycle = .binding
                return true
            case .binding, .listening:
                return false
            case .stopping, .stopped:
                throw RPCError(code: .failedPrecondition, message: "the RPC server was shut down; create a new one")
            }
        }
        if mustBind {
            let sslContext: NIOSSLContext?
            do {
                sslContext = try configuration.tls?.makeServerContext()
            } catch {
                state.withLock { $0.lifecycle = .idle }
                throw error
            }
            do {
                let channel = try await makeBootstrap(sslContext: sslContext)
                    .bind(host: configuration.host, port: configuration.port).get()
                let stillWanted = state.withLock { state -> Bool in
                    guard case .binding = state.lifecycle else { return false }
                    state.lifecycle = .listening(channel)
                    return true
                }
                if !stillWanted {
                    try? await channel.close()
                    throw RPCError(code: .failedPrecondition, message: "the RPC server was shut down while binding")
                }
                logger.info(
                    "RPC server listening",
                    metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")", "methods": "\(methods)"])
            } catch let error as RPCError {
                throw error
            } catch {
                state.withLock { $0.lifecycle = .idle }
                throw RPCError(
                    code: .unavailable,
                    message: "cannot listen on \(configuration.host):\(configuration.port): \(error)", cause: error)
            }
        }
        // Another caller may be binding concurrently: wait until it is done.
        while true {
            let current: Result<SocketAddress?, RPCError> = state.withLock { state in
                switch state.lifecycle {
                case .listening(let channel):
                    return .success(channel.localAddress)
                case .binding:
                    return .success(nil)
                case .idle:
                    return .failure(RPCError(code: .unavailable, message: "binding the RPC server failed"))
                case .stopping, .stopped:
                    return .failure(RPCError(code: .failedPrecondition, message: "the RPC server was shut down"))
                }
            }
            if let address = try current.get() { return address }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Serves until the calling task is cancelled (immediate close) or ``beginGracefulShutdown()`` is called
    /// (drain, then close). Returns once every connection is closed.
    public func run() async throws {
        try await listen()
        let listener: (any Channel)? = state.withLock { state in
            switch state.lifecycle {
            case .listening(let channel), .stopping(let channel): return channel
            default: return nil
            }
        }
        guard let listener else { return }
        await withTaskCancellationHandler {
            try? await listener.closeFuture.get()
        } onCancel: {
            self.stop(graceful: false)
        }
        // The listener is closed: stop() ran. Drain or close the connections.
        let (connections, graceful) = state.withLock { state in
            (Array(state.connections.values), state.graceful && !Task.isCancelled)
        }
        await withTaskCancellationHandler {
            await closeConnections(connections, graceful: graceful)
        } onCancel: {
            for connection in connections { connection.channel.close(promise: nil) }
        }
        state.withLock { $0.lifecycle = .stopped }
        logger.info("RPC server stopped")
    }

    /// Starts graceful shutdown: stop accepting, report `NOT_SERVING`, answer new calls `UNAVAILABLE`, let calls in
    /// flight finish for up to `shutdownGracePeriod`, then close. ``run()`` returns when done. Safe to call
    /// more than once and from any thread.
    public func beginGracefulShutdown() {
        stop(graceful: true)
    }

    private func stop(graceful: Bool) {
        let listener: (any Channel)? = state.withLock { state in
            state.graceful = state.graceful && graceful
            switch state.lifecycle {
            case .listening(let channel):
                state.lifecycle = .stopping(channel)
                return channel
            case .idle, .binding:
                state.lifecycle = .stopped
                return nil
            case .stopping, .stopped:
                return nil
            }
        }
        healthStatus.setAllNotServing()
        listener?.close(promise: nil)
    }

    private func closeConnections(_ connections: [Connection], graceful: Bool) async {
        guard !connections.isEmpty else { return }
        let loop = group.next()
        let closed = EventLoopFuture.andAllComplete(connections.map(\.channel.closeFuture), on: loop)
        if graceful {
            for connection in connections {
                let handler = connection.handler
                handler.eventLoop.execute { handler.value.beginDraining() }
            }
            let grace = TimeAmount(configuration.shutdownGracePeriod)
            let forceClose = loop.scheduleTask(in: grace) {
                for connection in connections { connection.channel.close(promise: nil) }
            }
            try? await closed.get()
            forceClose.cancel()
        } else {
            for connection in connections { connection.channel.close(promise: nil) }
            try? await closed.get()
        }
    }

    private func makeBootstrap(sslContext: NIOSSLContext?) -> ServerBootstrap {
        let dispatcher = self.dispatcher
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    let handler = ServerConnectionHandler(dispatcher: dispatcher)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    self.register(channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
    }

    private func register(_ channel: any Channel, handler: NIOLoopBound<ServerConnectionHandler>) {
        let id = ObjectIdentifier(channel)
        let accepted = state.withLock { state -> Bool in
            guard case .listening = state.lifecycle else { return false }
            state.connections[id] = Connection(channel: channel, handler: handler)
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { _ in
            _ = self.state.withLock { $0.connections.removeValue(forKey: id) }
        }
    }
}
