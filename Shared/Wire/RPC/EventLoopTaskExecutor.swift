import NIOCore

/// A `TaskExecutor` that runs jobs on one NIO event loop (see `RPCClient.eventLoopTaskExecutor()`).
///
/// Tasks that prefer it run their nonisolated code on the loop's thread, so the RPC client can write their
/// requests and resume them with responses without handing work to another thread.
final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop jobs run on.
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
