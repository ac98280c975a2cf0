import NIOCore

/// A `TaskExecutor` that runs jobs on one NIO event loop.
///
/// The server starts every call's handler task with this executor preferred, so a handler that does not suspend
/// runs to completion inside the read that delivered its request, and one that does suspend resumes on the
/// connection's event loop: the response is written without a thread hop.
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
