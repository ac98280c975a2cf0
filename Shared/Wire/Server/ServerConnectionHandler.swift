import Logging
import NIOCore

/// Serves the calls of one connection: deframes requests, dispatches them to their handlers, writes responses,
/// answers `DEADLINE_EXCEEDED` for handlers still running at their deadline, and drains on shutdown.
///
/// Lives on the connection's event loop. Each call's handler starts in a task that runs immediately on this loop;
/// one that does not suspend finishes inside `channelRead`, so its response joins the read cycle's single flush.
/// Calls that suspend are tracked in `inFlight` (for deadlines, draining and cancellation when the peer goes away).
final class ServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct InFlightCall {
        let task: Task<Void, Never>
        let deadlineMillis: UInt32
    }

    private let dispatcher: ServerDispatcher
    private var deframer: FrameDeframer
    private var context: ChannelHandlerContext?
    private var loopBoundSelf: NIOLoopBound<ServerConnectionHandler>?
    private var remoteAddress = ""

    private var inFlight: [UInt64: InFlightCall] = [:]
    private var deadlines = DeadlineQueue()
    private var deadlineTimer: Scheduled<Void>?
    private var deadlineTimerAt: NIODeadline?

    /// The call whose handler is being started right now, and whether it already answered.
    private var startingCallID: UInt64?
    private var startingCallAnswered = false

    private var inReadCycle = false
    private var needsFlush = false
    private var flushScheduled = false
    private var pendingRead = false
    private var draining = false
    private var closing = false

    init(dispatcher: ServerDispatcher) {
        self.dispatcher = dispatcher
        self.deframer = FrameDeframer(maximumFrameSize: dispatcher.maximumFrameSize)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.remoteAddress = context.channel.remoteAddress.map { "\($0)" } ?? "unknown"
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.loopBoundSelf = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The peer is gone: nobody waits for these answers any more.
        for call in inFlight.values {
            call.task.cancel()
        }
        inFlight.removeAll()
        deadlines.removeAll()
        deadlineTimer?.cancel()
        deadlineTimer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        inReadCycle = true
        deframer.append(unwrapInboundIn(data))
        do {
            while !closing, let frame = try deframer.nextFrame() {
                handleFrame(frame, context: context)
            }
        } catch {
            // An oversized frame: answer it when its call id is already visible, then close, since the stream
            // cannot be resynchronised.
            dispatcher.logger.warning(
                "closing RPC connection: \(error.message)", metadata: ["peer": "\(remoteAddress)"])
            if let callID = deframer.peekCallID() {
                write(
                    ServerCall.errorFrame(callID: callID, status: RPCStatus(code: error.code, message: error.message)))
            }
            closeConnection(context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadCycle = false
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        // Backpressure: a peer that does not read its responses gets no more requests read until it does.
        if context.channel.isWritable {
            context.read()
        } else {
            pendingRead = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable && pendingRead {
            pendingRead = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        dispatcher.logger.debug(
            "RPC connection error, closing", metadata: ["peer": "\(remoteAddress)", "error": "\(error)"])
        closeConnection(context: context)
    }

    // MARK: Calls

    private func handleFrame(_ frame: ByteBuffer, context: ChannelHandlerContext) {
        do {
            try EnvelopeCodec.withEnvelope(in: frame) { (envelope, arena) throws(RPCError) in
                self.dispatch(envelope, arena: &arena, context: context)
            }
        } catch {
            // Not an Envelope: the stream's framing may be fine but the peer speaks something else. Answer if the
            // call id can be read, then close.
            dispatcher.logger.warning(
                "closing RPC connection: \(error.message)", metadata: ["peer": "\(remoteAddress)"])
            let callID = frame.withUnsafeReadableBytes { FrameDeframer.peekCallID(inEnvelope: $0) }
            if let callID {
                write(
                    ServerCall.errorFrame(callID: callID, status: RPCStatus(code: error.code, message: error.message)))
            }
            closeConnection(context: context)
        }
    }

    private func dispatch(_ envelope: EnvelopeView, arena: inout WireArena, context: ChannelHandlerContext) {
        let callID = envelope.callID
        guard !draining else {
            reply(callID, .unavailable, "the server is shutting down; retry on another connection")
            return
        }
        guard let method = dispatcher.handler(forMethodBytes: envelope.methodBytes) else {
            let name = (try? envelope.method()) ?? "(not UTF-8)"
            reply(callID, .unimplemented, "method '\(name)' is not implemented by this server")
            return
        }
        guard inFlight[callID] == nil else {
            reply(callID, .invalidArgument, "call id \(callID) is already in flight on this connection")
            return
        }
        guard inFlight.count < dispatcher.maximumConcurrentCallsPerConnection else {
            reply(
                callID, .resourceExhausted,
                "more than \(dispatcher.maximumConcurrentCallsPerConnection) calls in flight on one connection")
            return
        }
        let requestID: String
        do {
            requestID = try envelope.requestID()
        } catch {
            reply(callID, error.code, error.message)
            return
        }
        let deadlineMillis = envelope.deadlineMillis
        let deadline: ContinuousClock.Instant? =
            deadlineMillis > 0 ? ContinuousClock.now.advanced(by: .milliseconds(deadlineMillis)) : nil
        let rpcContext = RPCContext(
            method: method.fullName, requestID: requestID, deadline: deadline, remoteAddress: remoteAddress,
            logger: dispatcher.logger)
        guard let loopBoundSelf else { return }
        let call = ServerCall(
            callID: callID, method: method.fullName, connection: loopBoundSelf,
            maximumFrameSize: dispatcher.maximumFrameSize, logger: dispatcher.logger)

        startingCallID = callID
        startingCallAnswered = false
        defer { startingCallID = nil }
        let task: Task<Void, Never>
        do {
            task = try method.start(payload: envelope.payload, arena: &arena, context: rpcContext, call: call)
        } catch {
            reply(callID, error.code, "request of \(method.fullName) is invalid: \(error.message)")
            return
        }
        guard !startingCallAnswered else { return }
        inFlight[callID] = InFlightCall(task: task, deadlineMillis: deadlineMillis)
        if deadlineMillis > 0 {
            deadlines.insert(callID: callID, deadline: .now() + .milliseconds(Int64(deadlineMillis)))
            armDeadlineTimer()
        }
    }

    /// Called on the event loop with a handler's encoded answer.
    func finish(callID: UInt64, frame: ByteBuffer) {
        if callID == startingCallID {
            startingCallAnswered = true
        } else if inFlight.removeValue(forKey: callID) == nil {
            return  // already answered with DEADLINE_EXCEEDED, or the connection closed
        } else {
            deadlines.compact(liveCount: inFlight.count) { inFlight[$0] != nil }
        }
        write(frame)
        if draining && inFlight.isEmpty, let context {
            closeConnection(context: context)
        }
    }

    private func reply(_ callID: UInt64, _ code: RPCStatusCode, _ message: String) {
        write(ServerCall.errorFrame(callID: callID, status: RPCStatus(code: code, message: message)))
    }

    private func write(_ frame: ByteBuffer) {
        guard let context, !closing else { return }
        context.write(wrapOutboundOut(frame), promise: nil)
        if inReadCycle {
            needsFlush = true
        } else if !flushScheduled {
            // Answers from suspended handlers arrive as separate loop tasks; one flush serves all that arrive in
            // the same loop tick.
            flushScheduled = true
            context.eventLoop.assumeIsolated().execute {
                self.flushScheduled = false
                self.context?.flush()
            }
        }
    }

    // MARK: Deadlines

    private func armDeadlineTimer() {
        guard let earliest = deadlines.earliest, let context else { return }
        if let current = deadlineTimerAt, current <= earliest { return }
        deadlineTimer?.cancel()
        deadlineTimerAt = earliest
        deadlineTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: earliest) {
            self.deadlineTimerFired()
        }
    }

    private func deadlineTimerFired() {
        deadlineTimer = nil
        deadlineTimerAt = nil
        for callID in deadlines.popExpired(now: .now()) {
            guard let call = inFlight.removeValue(forKey: callID) else { continue }
            call.task.cancel()
            reply(
                callID, .deadlineExceeded,
                "the call's deadline of \(call.deadlineMillis) ms passed while its handler ran")
        }
        deadlines.compact(liveCount: inFlight.count) { inFlight[$0] != nil }
        armDeadlineTimer()
        if draining && inFlight.isEmpty, let context {
            closeConnection(context: context)
        }
    }

    // MARK: Shutdown

    /// Stops taking new calls (they are answered `UNAVAILABLE`) and closes once the calls in flight have answered.
    func beginDraining() {
        draining = true
        if inFlight.isEmpty, let context {
            closeConnection(context: context)
        }
    }

    private func closeConnection(context: ChannelHandlerContext) {
        guard !closing else { return }
        // Let already-written answers (including an error reply for the frame that caused this) reach the peer.
        context.flush()
        closing = true
        context.close(promise: nil)
    }
}
