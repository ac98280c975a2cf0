import Dispatch
import Foundation

/// Runs row-wise work on all cores in a fixed, deterministic partition.
///
/// Each chunk is a contiguous range of rows and chunks never overlap, so as long as each row's result depends only
/// on that row (true for every model's scoring), the output is identical to a serial run.
enum ParallelRows {
    /// Worker count used for parallel loops: every active core (at least one). Read once: Foundation re-reads
    /// the cgroup CPU files on every `activeProcessorCount` call, which would dominate one-row scoring.
    static let workerCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` once per chunk of `0..<rows`, concurrently; chunks are at least `minimumChunk` rows long.
    static func forEachChunk(rows: Int, minimumChunk: Int = 4096, _ body: (Range<Int>) -> Void) {
        guard rows > 0 else { return }
        let chunks = min(max(1, rows / max(1, minimumChunk)), workerCount * 4)
        if chunks <= 1 {
            body(0..<rows)
            return
        }
        concurrentPerform(iterations: chunks) { chunk in
            body((rows * chunk / chunks)..<(rows * (chunk + 1) / chunks))
        }
    }

    /// `DispatchQueue.concurrentPerform` for bodies that write through raw pointers to disjoint memory.
    ///
    /// Dispatch requires a `@Sendable` body, which rules out capturing the unsafe pointers that tight numeric loops
    /// need. The body is wrapped in ``UncheckedBody`` instead; that is sound because `concurrentPerform` returns
    /// only after every iteration finished (the closure never outlives this call) and every caller in this module
    /// gives each iteration its own rows or its own workspace, so no memory is written by two iterations.
    static func concurrentPerform(iterations: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedBody(run: escapable)
            DispatchQueue.concurrentPerform(iterations: iterations) { box.run($0) }
        }
    }
}

extension ParallelRows {
    /// Runs `body(0)` on the calling thread and `body(1)` on a new thread at the same time; returns when both calls
    /// have returned.
    ///
    /// Unlike ``concurrentPerform(iterations:_:)``, which may run its iterations one after the other, the two calls
    /// are guaranteed to overlap (parties that wait for each other need that), and neither runs inside a Dispatch
    /// apply, so parallel loops inside `body` still get every core (Dispatch gives an apply nested in another
    /// apply fewer threads). The thread reaches `body` through ``ThreadHandOff``; that is sound because this
    /// function waits until the thread is done with `body` and clears the hand-off before returning, so `body`
    /// never outlives the call, and, as for ``concurrentPerform(iterations:_:)``, each call writes only its own
    /// memory.
    static func concurrentPair(_ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            let handOff = ThreadHandOff(run: escapable)
            let finished = DispatchSemaphore(value: 0)
            let thread = Thread {
                handOff.run?(1)
                finished.signal()
            }
            thread.start()
            escapable(0)
            finished.wait()
            handOff.run = nil
        }
    }
}

/// Carries `body(1)` of ``ParallelRows/concurrentPair(_:)`` to its thread; see there for why the unchecked
/// conformance is sound.
private final class ThreadHandOff: @unchecked Sendable {
    var run: ((Int) -> Void)?

    init(run: @escaping (Int) -> Void) {
        self.run = run
    }
}

/// A closure passed to Dispatch's concurrent loop; see ``ParallelRows/concurrentPerform(iterations:_:)`` for why
/// the unchecked conformance is sound.
private struct UncheckedBody: @unchecked Sendable {
    let run: (Int) -> Void
}
