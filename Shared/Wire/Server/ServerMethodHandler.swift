import NIOCore

/// A registered method, type-erased so the connection handler can dispatch any of them.
protocol ServerMethodHandler: Sendable {
    /// `service/method`.
    var fullName: String { get }

    /// Decodes the request from `payload` (throwing `INVALID_ARGUMENT` when it is not a valid request message)
    /// and starts the handler in a task; the task answers through `call`.
    func start(
        payload: UnsafeRawBufferPointer, arena: inout WireArena, context: RPCContext, call: ServerCall
    ) throws(RPCError) -> Task<Void, Never>
}

/// A unary method: one request in, one response out.
struct UnaryMethodHandler<Request: WireMessage, Response: WireMessage>: ServerMethodHandler {
    let method: MethodDescriptor<Request, Response>
    let body: @Sendable (Request, RPCContext) async throws -> Response

    var fullName: String { method.fullName }

    func start(
        payload: UnsafeRawBufferPointer, arena: inout WireArena, context: RPCContext, call: ServerCall
    ) throws(RPCError) -> Task<Void, Never> {
        let request = try Request(_unpacking: payload, arena: &arena)
        let body = self.body
        let operation: @Sendable () async -> Void = {
            do {
                call.respond(try await body(request, context))
            } catch {
                call.fail(error)
            }
        }
        // Start immediately, on the event loop: a handler that never suspends answers within this read, with no
        // task enqueue/dequeue and no thread hop. One that suspends continues on the global concurrent executor
        // (so slow work does not hold the loop) and its answer hops back to the loop. No executor preference:
        // measured, setting one made every call's task creation and switches noticeably dearer.
        if #available(macOS 26.0, iOS 26.0, watchOS 26.0, tvOS 26.0, visionOS 26.0, *) {
            return Task.immediate(operation: operation)
        } else {
            return Task(operation: operation)
        }
    }
}
