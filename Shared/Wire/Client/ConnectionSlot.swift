import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One of the pool's connections to one target, with its reconnect state.
///
/// States: idle (connect on next use) → connecting → ready; a failed connect goes to backoff (exponential with
/// jitter, see ``Backoff``) and the next use after it expires connects again; a ready connection that closes goes
/// back to idle, so the next call reconnects at once.
final class ConnectionSlot: Sendable {
    enum Poll {
        case ready(ClientConnection)
        case connecting(EventLoopFuture<ClientConnection>)
        case unavailable(reason: String, retryAt: NIODeadline?)
    }

    private enum State {
        case idle(failures: Int)
        case connecting(EventLoopFuture<ClientConnection>, failures: Int)
        case ready(ClientConnection)
        case backoff(until: NIODeadline, failures: Int, lastError: String)
        case shutDown
    }

    let target: RPCClient.Target
    private let configuration: RPCClient.Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = Mutex<State>(.idle(failures: 0))

    init(target: RPCClient.Target, configuration: RPCClient.Configuration, group: any EventLoopGroup, logger: Logger) {
        self.target = target
        self.configuration = configuration
        self.group = group
        self.logger = logger
    }

    /// The connection if ready; otherwise starts connecting when allowed (idle, or backoff expired).
    func poll() -> Poll {
        var connectPromise: EventLoopPromise<ClientConnection>?
        var failures = 0
        let result: Poll = state.withLock { state in
            switch state {
            case .ready(let connection) where connection.channel.isActive:
                return .ready(connection)
            case .ready:
                // Closed, and its close callback has not run yet: reconnect rather than fail a call on it.
                failures = 0
            case .connecting(let future, _):
                return .connecting(future)
            case .idle(let previousFailures):
                failures = previousFailures
            case .backoff(let until, let previousFailures, let lastError):
                guard NIODeadline.now() >= until else {
                    return .unavailable(reason: "\(target): \(lastError)", retryAt: until)
                }
                failures = previousFailures
            case .shutDown:
                return .unavailable(reason: "\(target): the client was closed", retryAt: nil)
            }
            let promise = group.next().makePromise(of: ClientConnection.self)
            state = .connecting(promise.futureResult, failures: failures)
            connectPromise = promise
            return .connecting(promise.futureResult)
        }
        // Connect outside the lock: the connect's callbacks take the lock again.
        if let connectPromise {
            connect(completing: connectPromise, failures: failures)
        }
        return result
    }

    /// Closes the connection (if any) and refuses further use.
    func shutDown() -> EventLoopFuture<Void>? {
        let previous = state.withLock { state -> State in
            let previous = state
            state = .shutDown
            return previous
        }
        if case .ready(let connection) = previous {
            connection.channel.close(promise: nil)
            return connection.channel.closeFuture
        }
        return nil
    }

    private func connect(completing promise: EventLoopPromise<ClientConnection>, failures: Int) {
        let target = self.target
        let maximumFrameSize = configuration.maximumFrameSize
        let sslContext: NIOSSLContext?
        do {
            sslContext = try configuration.tls?.makeClientContext()
        } catch {
            connectFinished(.failure(error), failures: failures, promise: promise)
            return
        }
        let bootstrap = ClientBootstrap(group: promise.futureResult.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.maxMessagesPerRead, value: 16)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: sslContext, serverHostname: nil))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ClientConnectionHandler(target: "\(target)", maximumFrameSize: maximumFrameSize))
                }
            }
        bootstrap.connect(host: target.host, port: target.port)
            .flatMapThrowing { channel -> ClientConnection in
                let handler = try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self)
                return ClientConnection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
            }
            .whenComplete { result in
                self.connectFinished(result, failures: failures, promise: promise)
            }
    }

    private func connectFinished(
        _ result: Result<ClientConnection, any Error>, failures: Int, promise: EventLoopPromise<ClientConnection>
    ) {
        switch result {
        case .success(let connection):
            let keep = state.withLock { state -> Bool in
                guard case .connecting = state else { return false }
                state = .ready(connection)
                return true
            }
            guard keep else {
                connection.channel.close(promise: nil)
                promise.fail(RPCError(code: .unavailable, message: "\(target): the client was closed"))
                return
            }
            logger.debug("RPC client connected", metadata: ["target": "\(target)"])
            connection.channel.closeFuture.whenComplete { _ in
                self.state.withLock { state in
                    if case .ready(let current) = state, current.channel === connection.channel {
                        state = .idle(failures: 0)
                    }
                }
            }
            promise.succeed(connection)
        case .failure(let error):
            let delay = configuration.backoff.delay(afterFailures: failures + 1)
            let message = "cannot connect: \(error)"
            state.withLock { state in
                if case .connecting = state {
                    state = .backoff(until: .now() + TimeAmount(delay), failures: failures + 1, lastError: message)
                }
            }
            logger.debug(
                "RPC client connect failed",
                metadata: [
                    "target": "\(target)", "error": "\(error)",
                    "retry_in_ms":
                        "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
                ])
            promise.fail(RPCError(code: .unavailable, message: "\(target): \(message)", cause: error))
        }
    }
}
