import Logging
import NIOCore

/// The way back from a handler task to the connection that received the call.
///
/// The response is encoded in the handler's task (normally already on the event loop), then handed to the
/// connection handler on its event loop, which writes it unless the call was answered already (deadline) or the
/// connection closed.
struct ServerCall: Sendable {
    let callID: UInt64
    let method: String
    let connection: NIOLoopBound<ServerConnectionHandler>
    let maximumFrameSize: Int
    let logger: Logger

    /// Sends `response` with status OK; a response too large for a frame, or with a NUL in a string, becomes an
    /// error reply instead.
    func respond<Response: WireMessage>(_ response: Response) {
        let frame: ByteBuffer
        do {
            frame = try EnvelopeCodec.makeFrame(
                head: EnvelopeHead(callID: callID, status: .ok), payload: response,
                maximumFrameSize: maximumFrameSize, allocator: ByteBufferAllocator())
        } catch {
            logger.error(
                "RPC response could not be encoded",
                metadata: ["rpc.method": "\(method)", "error": "\(error)"])
            fail(error)
            return
        }
        deliver(frame)
    }

    /// Sends an error reply: an `RPCError` keeps its code and message, cancellation becomes `CANCELLED`, anything
    /// else `INTERNAL` with the error's description.
    func fail(_ error: any Error) {
        let status: RPCStatus
        switch error {
        case let error as RPCError:
            status = RPCStatus(code: error.code, message: error.message)
        case is CancellationError:
            status = RPCStatus(code: .cancelled, message: "the handler for \(method) was cancelled")
        default:
            logger.error("RPC handler failed", metadata: ["rpc.method": "\(method)", "error": "\(error)"])
            status = RPCStatus(code: .internalError, message: "the handler for \(method) failed: \(error)")
        }
        deliver(ServerCall.errorFrame(callID: callID, status: status))
    }

    private func deliver(_ frame: ByteBuffer) {
        let eventLoop = connection.eventLoop
        if eventLoop.inEventLoop {
            connection.value.finish(callID: callID, frame: frame)
        } else {
            let connection = self.connection
            let callID = self.callID
            eventLoop.execute { connection.value.finish(callID: callID, frame: frame) }
        }
    }

    /// A response frame with `status` and no payload. The message is made safe first (NUL replaced, at most
    /// 4,096 characters), so encoding cannot fail for want of valid input.
    static func errorFrame(callID: UInt64, status: RPCStatus) -> ByteBuffer {
        var status = status
        if status.message.utf8.contains(0) {
            status.message = String(
                decoding: status.message.utf8.map { $0 == 0 ? UInt8(ascii: "?") : $0 }, as: UTF8.self)
        }
        if status.message.count > 4096 {
            status.message = String(status.message.prefix(4096))
        }
        do {
            return try EnvelopeCodec.makeFrame(
                head: EnvelopeHead(callID: callID, status: status), payload: ModelInfoRequest?.none,
                maximumFrameSize: .max, allocator: ByteBufferAllocator())
        } catch {
            // Only an allocation failure gets here; the bare code is all that can still be said.
            var frame = ByteBuffer()
            frame.writeInteger(UInt32(0))
            return frame
        }
    }
}
