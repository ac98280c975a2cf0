import Dispatch
import Domain
import Foundation
import Synchronization

/// What ``FeatureReplay`` produced: one row per input transaction, in input order.
public struct FeatureReplayResult: Sendable {
    /// Unscaled features, row `i` for input transaction `i`.
    public var matrix: FeatureMatrix
    /// Raw values, aligned with the rows; empty unless ``FeatureReplay/Options/keepRaw`` was set.
    public var raw: [RawFeatures]
    /// Each user's state after their last transaction; empty unless ``FeatureReplay/Options/keepStates`` was set.
    public var finalStates: [String: UserState]
}

/// Offline feature computation: replays transactions in time order through ``FeatureExtractor``, each user's
/// features computed from their own past only, exactly as the preprocessing service computes them online.
public struct FeatureReplay: Sendable {
    /// What to keep besides the matrix (raw values cost ~300 bytes a row, so they are opt-in).
    public struct Options: Sendable {
        /// Keep ``RawFeatures`` per row (for reasons in offline scoring).
        public var keepRaw: Bool
        /// Keep every user's final state (for tests and for seeding a state store).
        public var keepStates: Bool
        /// Worker threads; `nil` picks one per core (up to 8) for inputs of 100,000 rows or more, else 1. The
        /// result does not depend on it.
        public var workers: Int?

        /// Creates options; raw values and states default to off.
        public init(keepRaw: Bool = false, keepStates: Bool = false, workers: Int? = nil) {
            self.keepRaw = keepRaw
            self.keepStates = keepStates
            self.workers = workers
        }
    }

    /// The extractor every row goes through.
    public let extractor: FeatureExtractor

    /// Creates a replay over fitted priors.
    public init(priors: FeaturePriors) {
        self.extractor = FeatureExtractor(priors: priors)
    }

    /// Computes the features of every transaction.
    ///
    /// Transactions are processed in timestamp order, equal timestamps in input order (a stable sort; nothing is
    /// sorted when the input is already in order), but the rows come back in input order. Large inputs are split
    /// by user across the machine's cores; each user's transactions are still processed in order by one worker,
    /// so the result is identical to a sequential replay.
    /// - Parameters:
    ///   - initialStates: states to start from (e.g. the end of the training period); other users start cold.
    ///   - progress: called with the (approximate) number of rows done, every 65,536 rows and at the end, always
    ///     from one thread at a time.
    public func run(
        _ transactions: [Transaction], initialStates: [String: UserState] = [:], options: Options = Options(),
        progress: ((Int) -> Void)? = nil
    ) -> FeatureReplayResult {
        let columns = FeatureSchema.current.count
        let n = transactions.count
        let order = Self.timeOrder(transactions)
        var users = UserIndex(expectedUsers: max(n / 16, 16))
        var userOfRow = [Int32](repeating: 0, count: n)
        for i in 0..<n { userOfRow[i] = Int32(users.index(of: transactions[i].userID)) }
        var states = users.ids.map { initialStates[$0] ?? UserState() }

        let automatic = n >= Self.parallelThreshold ? min(ProcessInfo.processInfo.activeProcessorCount, 8) : 1
        let workers = max(options.workers ?? automatic, 1)
        var rowsOfWorker = [[Int32]](repeating: [], count: workers)
        for w in 0..<workers { rowsOfWorker[w].reserveCapacity(n / workers + 1) }
        for step in 0..<n {
            let row = order?[step] ?? step
            rowsOfWorker[Int(userOfRow[row]) % workers].append(Int32(row))
        }

        // Each worker replays its own users into its own buffers (no shared mutable memory); the pieces are
        // stitched into input order afterwards.
        let keepRaw = options.keepRaw
        let extractor = self.extractor
        let initial = states
        let work = { @Sendable [rowsOfWorker, userOfRow] (w: Int, report: ((Int) -> Void)?) -> WorkerOutput in
            let rows = rowsOfWorker[w]
            // Worker w owns users w, w + workers, w + 2·workers, …: user u is its local state u / workers.
            var output = WorkerOutput(
                values: [Float](repeating: 0, count: rows.count * columns),
                raw: keepRaw ? Array(repeating: RawFeatures(), count: rows.count) : [],
                states: Array(stride(from: w, to: initial.count, by: workers).map { initial[$0] }))
            var raw = RawFeatures()
            output.values.withUnsafeMutableBufferPointer { storage in
                for (k, row32) in rows.enumerated() {
                    let row = Int(row32)
                    let local = Int(userOfRow[row]) / workers
                    let out = UnsafeMutableBufferPointer(rebasing: storage[(k * columns)..<((k + 1) * columns)])
                    extractor.advance(
                        &output.states[local], with: transactions[row], into: out, raw: &raw, includeRaw: keepRaw)
                    if keepRaw {
                        output.raw[k] = raw
                        raw = RawFeatures()
                    }
                    if let report, (k + 1) & 0xFFFF == 0 { report(k + 1) }
                }
            }
            return output
        }
        var outputs: [WorkerOutput]
        if workers == 1 {
            outputs = [work(0, progress)]
        } else {
            let collected = Mutex([WorkerOutput?](repeating: nil, count: workers))
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let output = work(w, nil)
                collected.withLock { $0[w] = output }
            }
            outputs = collected.withLock { $0.compactMap { $0 } }
        }

        var values = [Float](repeating: 0, count: n * columns)
        var raws: [RawFeatures] = keepRaw ? Array(repeating: RawFeatures(), count: n) : []
        values.withUnsafeMutableBufferPointer { storage in
            for (w, output) in outputs.enumerated() {
                output.values.withUnsafeBufferPointer { piece in
                    for (k, row32) in rowsOfWorker[w].enumerated() {
                        let row = Int(row32)
                        for c in 0..<columns { storage[row * columns + c] = piece[k * columns + c] }
                        if keepRaw { raws[row] = output.raw[k] }
                    }
                }
                for (local, state) in output.states.enumerated() { states[w + local * workers] = state }
            }
        }
        outputs.removeAll()
        progress?(n)
        var finalStates = options.keepStates ? initialStates : [:]
        if options.keepStates {
            for (i, id) in users.ids.enumerated() { finalStates[id] = states[i] }
        }
        return FeatureReplayResult(
            matrix: FeatureMatrix(columns: columns, values: values), raw: raws, finalStates: finalStates)
    }

    /// One worker's rows (in its processing order), raw values and final states.
    private struct WorkerOutput: Sendable {
        var values: [Float]
        var raw: [RawFeatures]
        /// States of users w, w + workers, …
        var states: [UserState]
    }

    /// Inputs at least this long are replayed on several cores.
    static let parallelThreshold = 100_000

    /// The stable timestamp order of `transactions`, or `nil` when they are already in order.
    static func timeOrder(_ transactions: [Transaction]) -> [Int]? {
        var sorted = true
        for i in transactions.indices.dropFirst()
        where transactions[i].timestampMillis < transactions[i - 1].timestampMillis {
            sorted = false
            break
        }
        if sorted { return nil }
        return transactions.indices.sorted { a, b in
            let ta = transactions[a].timestampMillis
            let tb = transactions[b].timestampMillis
            return ta != tb ? ta < tb : a < b
        }
    }
}
