import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The client's connections: `connectionsPerTarget` slots per target, used round-robin.
///
/// A call takes the next ready connection in round-robin order, skipping targets that are down; slots passed over
/// on the way that are idle start connecting in the background. When no connection is ready the call waits for a
/// connect in progress (bounded by the connect timeout and its deadline); when every slot is in backoff it fails
/// at once with `UNAVAILABLE`, so a dead peer costs callers no waiting and builds no queue.
final class ConnectionPool: Sendable {
    private let slots: [ConnectionSlot]
    private let nextSlot = Atomic<UInt>(0)

    init(configuration: RPCClient.Configuration, group: any EventLoopGroup, logger: Logger) {
        var slots: [ConnectionSlot] = []
        for _ in 0..<max(configuration.connectionsPerTarget, 1) {
            for target in configuration.targets {
                slots.append(ConnectionSlot(target: target, configuration: configuration, group: group, logger: logger))
            }
        }
        self.slots = slots
    }

    /// A connection for one call attempt, or why there is none (never sent, so always safe to retry).
    func acquire(deadline: NIODeadline?) async -> Result<ClientConnection, CallFailure> {
        guard !slots.isEmpty else {
            return .failure(
                CallFailure(error: RPCError(code: .unavailable, message: "no targets configured"), wasSent: false))
        }
        let start = Int(nextSlot.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(slots.count))
        // A caller running on one of our event loops gets a connection on that loop when there is one.
        let currentLoop = MultiThreadedEventLoopGroup.currentEventLoop
        var elsewhere: ClientConnection?
        var connecting: EventLoopFuture<ClientConnection>?
        var reasons: [String] = []
        var earliestRetry: NIODeadline?
        for offset in 0..<slots.count {
            switch slots[(start + offset) % slots.count].poll() {
            case .ready(let connection):
                if let currentLoop, connection.channel.eventLoop !== currentLoop {
                    if elsewhere == nil { elsewhere = connection }
                    continue
                }
                return .success(connection)
            case .connecting(let future):
                if connecting == nil { connecting = future }
            case .unavailable(let reason, let retryAt):
                reasons.append(reason)
                if let retryAt, earliestRetry.map({ retryAt < $0 }) ?? true { earliestRetry = retryAt }
            }
        }
        if let elsewhere {
            return .success(elsewhere)
        }
        if let connecting {
            return await wait(for: connecting, deadline: deadline)
        }
        var message = "no connection available: " + Set(reasons).sorted().joined(separator: "; ")
        if let earliestRetry {
            let milliseconds = max(0, (earliestRetry - .now()).nanoseconds / 1_000_000)
            message += " (next connection attempt in \(milliseconds) ms)"
        }
        return .failure(CallFailure(error: RPCError(code: .unavailable, message: message), wasSent: false))
    }

    private func wait(
        for future: EventLoopFuture<ClientConnection>, deadline: NIODeadline?
    ) async -> Result<ClientConnection, CallFailure> {
        let loop = future.eventLoop
        let promise = loop.makePromise(of: ClientConnection.self)
        future.cascade(to: promise)
        let timeout = deadline.map { deadline in
            loop.scheduleTask(deadline: deadline) {
                promise.fail(RPCError(code: .deadlineExceeded, message: "the deadline passed while connecting"))
            }
        }
        do {
            let connection = try await promise.futureResult.get()
            timeout?.cancel()
            return .success(connection)
        } catch let error as RPCError {
            timeout?.cancel()
            return .failure(CallFailure(error: error, wasSent: false))
        } catch {
            timeout?.cancel()
            return .failure(CallFailure(error: RPCError(code: .unavailable, message: "\(error)"), wasSent: false))
        }
    }

    /// Closes every connection; later calls fail with `UNAVAILABLE`.
    func shutDown() async {
        let closing = slots.compactMap { $0.shutDown() }
        for future in closing {
            try? await future.get()
        }
    }
}
