import NIOCore

/// A connected client connection: its channel and the handler that matches its responses.
struct ClientConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<ClientConnectionHandler>

    /// Sends one request frame and waits for its response, its deadline, the connection's end or the caller's
    /// cancellation, whichever comes first.
    func call<Response: WireMessage>(
        callID: UInt64, frame: ByteBuffer, deadline: NIODeadline?, method: String, as: Response.Type
    ) async -> Result<Response, CallFailure> {
        let handler = self.handler
        let eventLoop = handler.eventLoop
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Result<Response, CallFailure>, Never>) in
                let call = TypedPendingCall<Response>(continuation: continuation, method: method)
                if eventLoop.inEventLoop {
                    handler.value.start(callID: callID, frame: frame, deadline: deadline, call: call)
                } else {
                    eventLoop.execute {
                        handler.value.start(callID: callID, frame: frame, deadline: deadline, call: call)
                    }
                }
            }
        } onCancel: {
            eventLoop.execute { handler.value.cancel(callID: callID) }
        }
    }
}
