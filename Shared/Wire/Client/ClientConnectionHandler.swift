import NIOCore

/// One client connection: writes request frames, matches response frames to pending calls by call id (in any
/// order), fails calls at their deadline, and fails everything still pending when the connection closes.
///
/// Lives on the connection's event loop. Writes are flushed once per loop tick however many calls were started
/// in it, so concurrent callers share syscalls.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let target: String
    private var deframer: FrameDeframer
    private var context: ChannelHandlerContext?
    private var isActive = false
    private var closeReason: String?

    private var pending: [UInt64: any PendingCall] = [:]
    private var deadlines = DeadlineQueue()
    private var deadlineTimer: Scheduled<Void>?
    private var deadlineTimerAt: NIODeadline?
    /// Ids cancelled before their start reached the loop (rare race); bounded.
    private var cancelledBeforeStart: Set<UInt64> = []

    private var flushScheduled = false

    init(target: String, maximumFrameSize: Int) {
        self.target = target
        self.deframer = FrameDeframer(maximumFrameSize: maximumFrameSize)
    }

    /// Calls in flight on this connection.
    var pendingCount: Int { pending.count }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.isActive = context.channel.isActive
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        isActive = true
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        let reason = closeReason ?? "the connection to \(target) closed"
        failAll(CallFailure(error: RPCError(code: .unavailable, message: reason), wasSent: true))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closeReason = closeReason ?? "the connection to \(target) failed: \(error)"
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deframer.append(unwrapInboundIn(data))
        do {
            while let frame = try deframer.nextFrame() {
                handleFrame(frame, context: context)
                if !isActive { return }
            }
        } catch {
            if let callID = deframer.peekCallID(), let call = pending.removeValue(forKey: callID) {
                call.fail(
                    CallFailure(error: RPCError(code: error.code, message: "response: \(error.message)"), wasSent: true)
                )
            }
            close(context: context, reason: "the server at \(target) sent \(error.message)")
        }
    }

    private func handleFrame(_ frame: ByteBuffer, context: ChannelHandlerContext) {
        do {
            try EnvelopeCodec.withEnvelope(in: frame) { (envelope, arena) throws(RPCError) in
                guard let call = self.pending.removeValue(forKey: envelope.callID) else {
                    return  // answered already (deadline or cancellation); the late response is dropped
                }
                self.deadlines.compact(liveCount: self.pending.count) { self.pending[$0] != nil }
                let status: RPCStatus?
                do throws(RPCError) {
                    status = try envelope.status()
                } catch {
                    call.fail(
                        CallFailure(
                            error: RPCError(code: .internalError, message: "response status: \(error.message)"),
                            wasSent: true))
                    return
                }
                if let status, status.code != .ok {
                    call.fail(CallFailure(error: RPCError(code: status.code, message: status.message), wasSent: true))
                } else {
                    call.succeed(payload: envelope.payload, arena: &arena)
                }
            }
        } catch {
            let callID = frame.withUnsafeReadableBytes { FrameDeframer.peekCallID(inEnvelope: $0) }
            if let callID, let call = pending.removeValue(forKey: callID) {
                call.fail(
                    CallFailure(
                        error: RPCError(code: .internalError, message: "response: \(error.message)"), wasSent: true))
            }
            close(context: context, reason: "the server at \(target) sent a frame that is not an Envelope")
        }
    }

    // MARK: Calls

    /// Registers `call` and writes its request frame. Must run on the event loop.
    func start(callID: UInt64, frame: ByteBuffer, deadline: NIODeadline?, call: any PendingCall) {
        guard let context, isActive else {
            call.fail(
                CallFailure(
                    error: RPCError(
                        code: .unavailable, message: closeReason ?? "the connection to \(target) is closed"),
                    wasSent: false))
            return
        }
        if !cancelledBeforeStart.isEmpty, cancelledBeforeStart.remove(callID) != nil {
            call.fail(CallFailure(error: RPCError(code: .cancelled, message: "the call was cancelled"), wasSent: false))
            return
        }
        pending[callID] = call
        if let deadline {
            deadlines.insert(callID: callID, deadline: deadline)
            armDeadlineTimer(context: context)
        }
        context.write(wrapOutboundOut(frame), promise: nil)
        if !flushScheduled {
            flushScheduled = true
            context.eventLoop.assumeIsolated().execute {
                self.flushScheduled = false
                self.context?.flush()
            }
        }
    }

    /// Fails a call the caller stopped waiting for. Must run on the event loop.
    func cancel(callID: UInt64) {
        if let call = pending.removeValue(forKey: callID) {
            call.fail(CallFailure(error: RPCError(code: .cancelled, message: "the call was cancelled"), wasSent: true))
        } else {
            if cancelledBeforeStart.count >= 1024 { cancelledBeforeStart.removeAll() }
            cancelledBeforeStart.insert(callID)
        }
    }

    private func failAll(_ failure: CallFailure) {
        let calls = pending
        pending.removeAll()
        deadlines.removeAll()
        deadlineTimer?.cancel()
        deadlineTimer = nil
        deadlineTimerAt = nil
        for call in calls.values {
            call.fail(failure)
        }
    }

    private func close(context: ChannelHandlerContext, reason: String) {
        closeReason = closeReason ?? reason
        isActive = false
        context.close(promise: nil)
    }

    // MARK: Deadlines

    private func armDeadlineTimer(context: ChannelHandlerContext) {
        guard let earliest = deadlines.earliest else { return }
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
            guard let call = pending.removeValue(forKey: callID) else { continue }
            call.fail(
                CallFailure(
                    error: RPCError(
                        code: .deadlineExceeded, message: "no response from \(target) before the call's deadline"),
                    wasSent: true))
        }
        deadlines.compact(liveCount: pending.count) { pending[$0] != nil }
        if let context { armDeadlineTimer(context: context) }
    }
}
