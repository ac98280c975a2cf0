import Dispatch
import Foundation

/// Runs row-wise work on all cores in a fixed, deterministic partition.
///
/// Each chunk is a contiguous range of rows and chunks never overlap, so as long as each row's result depends only
/// on that row (true for every model's scoring), the output is identical to a serial run.
enum ParallelRows {
    /// Worker count used for parallel loops: every active core (at least one).
    static var workerCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

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

/// A closure passed to Dispatch's concurrent loop; see ``ParallelRows/concurrentPerform(iterations:_:)`` for why
/// the unchecked conformance is sound.
private struct UncheckedBody: @unchecked Sendable {
    let run: (Int) -> Void
}
