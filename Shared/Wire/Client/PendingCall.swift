/// Why an attempt of a call failed, and whether its request may have reached the server (retry decisions).
struct CallFailure: Error {
    var error: RPCError
    /// False when the request certainly was not processed (never written, or no connection): safe to retry for
    /// any method.
    var wasSent: Bool
}

/// A call waiting for its response on a client connection. Completed exactly once, on the connection's event loop
/// (the connection removes it from its table before completing it).
protocol PendingCall: AnyObject, Sendable {
    /// Decodes the response payload and resumes the caller.
    func succeed(payload: UnsafeRawBufferPointer, arena: inout WireArena)
    /// Resumes the caller with an error.
    func fail(_ failure: CallFailure)
}

/// A pending call expecting a `Response`.
final class TypedPendingCall<Response: WireMessage>: PendingCall {
    private let continuation: UnsafeContinuation<Result<Response, CallFailure>, Never>
    private let method: String

    init(continuation: UnsafeContinuation<Result<Response, CallFailure>, Never>, method: String) {
        self.continuation = continuation
        self.method = method
    }

    func succeed(payload: UnsafeRawBufferPointer, arena: inout WireArena) {
        do {
            continuation.resume(returning: .success(try Response(_unpacking: payload, arena: &arena)))
        } catch {
            let message = "the response of \(method) could not be decoded: \(error.message)"
            continuation.resume(
                returning: .failure(CallFailure(error: RPCError(code: .internalError, message: message), wasSent: true))
            )
        }
    }

    func fail(_ failure: CallFailure) {
        continuation.resume(returning: .failure(failure))
    }
}
