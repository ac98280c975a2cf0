import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real local HTTP server that records every request and answers as it is told: the peer for notification
/// tests and benchmarks (a Slack, PagerDuty or webhook receiver on loopback).
///
/// Answers come from a ``Responder`` that sees each request and its 0-based arrival index, so a test can fail on
/// purpose: `.status(500)`, `.status(429, headers: [("Retry-After", "2")])`, `.delayed(.seconds(30), .status(200))`
/// past the client's timeout, `.reset` (the connection is closed with a TCP RST, no answer), `.status(400)`.
/// ``stop()`` and ``restart()`` take the listener down and bring it back on the same port (connection refused in
/// between).
public final class HTTPSink: Sendable {
    /// One received request.
    public struct Request: Sendable {
        /// `POST`, `GET`, …
        public var method: String
        /// The request target, e.g. `/services/T000/B000/XXX`.
        public var path: String
        /// Header names and values as received.
        public var headers: [(String, String)]
        /// The raw body.
        public var body: [UInt8]
        /// When the request was complete.
        public var receivedAt: ContinuousClock.Instant

        /// The first value of header `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        /// The body as UTF-8 text.
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// How to answer one request.
    public indirect enum Response: Sendable {
        /// Answer with `status`, extra headers and a text body.
        case status(Int, headers: [(String, String)] = [], body: String = "")
        /// Wait, then answer.
        case delayed(Duration, Response)
        /// Close the connection with a reset, without answering.
        case reset
    }

    /// Chooses the answer for a request (given its 0-based arrival index).
    public typealias Responder = @Sendable (Request, Int) -> Response

    fileprivate struct State {
        var requests: [Request] = []
        var responder: Responder
        var channel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var inFlight = 0
        var maxInFlight = 0
    }

    private let state: NIOLockedValueBox<State>
    /// The port the sink listens on (fixed across ``restart()``).
    public let port: Int

    private init(port: Int, state: NIOLockedValueBox<State>) {
        self.port = port
        self.state = state
    }

    /// Starts a sink on `127.0.0.1:port` (0: a free port); by default every request gets `200 ok`.
    public static func start(port: Int = 0, responder: @escaping Responder = { _, _ in .status(200, body: "ok") })
        async throws -> HTTPSink
    {
        let state = NIOLockedValueBox(State(responder: responder))
        let channel = try await bind(port: port, state: state)
        state.withLockedValue { $0.channel = channel }
        return HTTPSink(port: channel.localAddress?.port ?? port, state: state)
    }

    /// `http://127.0.0.1:<port>` followed by `path`.
    public func url(_ path: String = "/") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Every request received so far, in arrival order.
    public var requests: [Request] { state.withLockedValue { $0.requests } }

    /// Replaces the responder (for requests arriving from now on).
    public func respond(with responder: @escaping Responder) {
        state.withLockedValue { $0.responder = responder }
    }

    /// Forgets the recorded requests, and starts ``maxInFlight`` again from the requests in flight now.
    public func clear() {
        state.withLockedValue { state in
            state.requests = []
            state.maxInFlight = state.inFlight
        }
    }

    /// Requests received and not yet answered (or closed) right now.
    public var inFlight: Int { state.withLockedValue { $0.inFlight } }

    /// The most requests that were in flight at once (received completely, not yet answered or reset) since the
    /// sink started or was last cleared: what a client's concurrency limit is checked against.
    public var maxInFlight: Int { state.withLockedValue { $0.maxInFlight } }

    /// Waits until at least `count` requests arrived (polling every 20 ms), at most `timeout`; returns them.
    @discardableResult
    public func waitForRequests(_ count: Int, timeout: Duration = .seconds(60)) async throws -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let received = requests
            if received.count >= count { return received }
            try await Task.sleep(for: .milliseconds(20))
        }
        return requests
    }

    /// Stops listening (new connections are refused); already accepted connections are closed.
    public func stop() async throws {
        let (channel, connections) = state.withLockedValue { state -> ((any Channel)?, [any Channel]) in
            defer {
                state.channel = nil
                state.connections = [:]
            }
            return (state.channel, Array(state.connections.values))
        }
        try await channel?.close()
        for connection in connections { try? await connection.close() }
    }

    /// Listens again on the same port after ``stop()``.
    ///
    /// Right after ``stop()`` the port may still be held by the closed connections' sockets on their way out (a
    /// peer that has not answered the close yet), so binding is tried again every 50 ms for up to `within`; the last
    /// error is thrown after that.
    public func restart(within: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + within
        while true {
            do {
                let channel = try await Self.bind(port: port, state: state)
                state.withLockedValue { $0.channel = channel }
                return
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    private static func bind(port: Int, state: NIOLockedValueBox<State>) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 512)
            .childChannelInitializer { channel in
                let key = ObjectIdentifier(channel)
                state.withLockedValue { $0.connections[key] = channel }
                channel.closeFuture.whenComplete { _ in
                    state.withLockedValue { _ = $0.connections.removeValue(forKey: key) }
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        SinkHandler(sink: state.recorder, finished: state.finisher))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
    }
}

extension NIOLockedValueBox where Value == HTTPSink.State {
    /// Records a request (now in flight) and returns the answer for it.
    fileprivate var recorder: @Sendable (HTTPSink.Request) -> HTTPSink.Response {
        { request in
            let (responder, index) = self.withLockedValue { state -> (HTTPSink.Responder, Int) in
                state.requests.append(request)
                state.inFlight += 1
                state.maxInFlight = max(state.maxInFlight, state.inFlight)
                return (state.responder, state.requests.count - 1)
            }
            return responder(request, index)
        }
    }

    /// Counts a request as no longer in flight (answered, reset, or its connection closed first).
    fileprivate var finisher: @Sendable () -> Void {
        { self.withLockedValue { $0.inFlight = max(0, $0.inFlight - 1) } }
    }
}

/// Assembles each request, records it, and writes the answer the sink chose.
private final class SinkHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let sink: @Sendable (HTTPSink.Request) -> HTTPSink.Response
    private let finished: @Sendable () -> Void
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    /// A request of this connection was recorded and is not answered yet.
    private var answering = false

    init(
        sink: @escaping @Sendable (HTTPSink.Request) -> HTTPSink.Response, finished: @escaping @Sendable () -> Void
    ) {
        self.sink = sink
        self.finished = finished
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            let request = HTTPSink.Request(
                method: head.method.rawValue, path: head.uri, headers: head.headers.map { ($0.name, $0.value) },
                body: body, receivedAt: .now)
            self.head = nil
            answering = true
            answer(sink(request), context: context)
        }
    }

    /// The request is answered (or will never be): it leaves the in-flight count once.
    private func done() {
        guard answering else { return }
        answering = false
        finished()
    }

    func channelInactive(context: ChannelHandlerContext) {
        done()
        context.fireChannelInactive()
    }

    private func answer(_ response: HTTPSink.Response, context: ChannelHandlerContext) {
        switch response {
        case .status(let code, let headers, let text):
            var fields = HTTPHeaders(headers)
            fields.replaceOrAdd(name: "Content-Length", value: "\(text.utf8.count)")
            fields.replaceOrAdd(name: "Content-Type", value: "text/plain")
            context.write(
                wrapOutboundOut(.head(.init(version: .http1_1, status: .init(statusCode: code), headers: fields))),
                promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            done()
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case .delayed(let delay, let then):
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let nanoseconds =
                Int64(delay.components.seconds) * 1_000_000_000 + Int64(delay.components.attoseconds / 1_000_000_000)
            context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
                let (handler, context) = bound.value
                guard context.channel.isActive else { return }
                handler.answer(then, context: context)
            }
        case .reset:
            done()
            // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            if let provider = context.channel as? any SocketOptionProvider {
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in
                    bound.value.close(promise: nil)
                }
            } else {
                context.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
