import Dispatch
import Domain
import Foundation
import Synchronization

/// Feature replay over consecutive batches of one time-ordered stream (e.g. chunks of a large CSV being scored),
/// keeping every user's state in memory between batches.
///
/// Replaying batches 1…k one after another gives batch k exactly the features a single replay of batches 1…k
/// would (as long as later batches do not go back in time; an older transaction is handled as the online path
/// handles it: its gap clamps to 0). Within a batch, rows are processed in stable timestamp order and returned in
/// input order; large batches are split by user across cores with identical results.
public struct FeatureReplaySession: Sendable {
    /// The extractor every row goes through.
    public let extractor: FeatureExtractor
    private var users = UserIndex()
    private var states: [UserState] = []
    private let initialStates: [String: UserState]

    /// Batches at least this long are replayed on several cores.
    static let parallelThreshold = 100_000

    /// Creates a session over fitted priors; users found in `initialStates` continue from there, others start cold.
    public init(priors: FeaturePriors, initialStates: [String: UserState] = [:]) {
        self.init(extractor: FeatureExtractor(priors: priors), initialStates: initialStates)
    }

    /// Creates a session over an existing extractor.
    public init(extractor: FeatureExtractor, initialStates: [String: UserState] = [:]) {
        self.extractor = extractor
        self.initialStates = initialStates
    }

    /// Number of users seen so far.
    public var userCount: Int { users.count }

    /// The current state of every user seen so far.
    public var currentStates: [String: UserState] {
        Dictionary(uniqueKeysWithValues: zip(users.ids, states))
    }

    /// Computes the features of one batch and advances the users' states.
    ///
    /// ``FeatureReplayResult/finalStates`` holds (with ``FeatureReplay/Options/keepStates``) the states of the
    /// users in this batch after it; ``currentStates`` has everyone's.
    /// - Parameter progress: called with the approximate rows done, every 65,536 rows and at the end (from one
    ///   thread at a time).
    public mutating func run(
        _ batch: [Transaction], options: FeatureReplay.Options = .init(), progress: ((Int) -> Void)? = nil
    ) -> FeatureReplayResult {
        let columns = FeatureSchema.current.count
        let n = batch.count
        let order = FeatureReplay.timeOrder(batch)
        var userOfRow = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let u = users.index(of: batch[i].userID)
            if u == states.count { states.append(initialStates[batch[i].userID] ?? UserState()) }
            userOfRow[i] = Int32(u)
        }

        let automatic = n >= Self.parallelThreshold ? min(ProcessInfo.processInfo.activeProcessorCount, 8) : 1
        let workers = max(options.workers ?? automatic, 1)
        // Worker u % workers owns user u. Each worker gets copies of its users' states (only those in the batch),
        // in first-appearance order, and its rows in processing order with the local index of their user.
        var localIndex = [Int32](repeating: -1, count: states.count)
        var usersOfWorker = [[Int32]](repeating: [], count: workers)
        var rowsOfWorker = [[(row: Int32, local: Int32)]](repeating: [], count: workers)
        for w in 0..<workers { rowsOfWorker[w].reserveCapacity(n / workers + 1) }
        for step in 0..<n {
            let row = order?[step] ?? step
            let u = Int(userOfRow[row])
            let w = u % workers
            if localIndex[u] < 0 {
                localIndex[u] = Int32(usersOfWorker[w].count)
                usersOfWorker[w].append(Int32(u))
            }
            rowsOfWorker[w].append((Int32(row), localIndex[u]))
        }

        let keepRaw = options.keepRaw
        let extractor = self.extractor
        let startStates = usersOfWorker.map { $0.map { states[Int($0)] } }
        // Each worker replays its own users into its own buffers (no shared mutable memory); the pieces are
        // stitched into input order afterwards.
        let work = { @Sendable [rowsOfWorker, startStates] (w: Int, report: ((Int) -> Void)?) -> WorkerOutput in
            let rows = rowsOfWorker[w]
            var output = WorkerOutput(
                values: [Float](repeating: 0, count: rows.count * columns),
                raw: keepRaw ? Array(repeating: RawFeatures(), count: rows.count) : [], states: startStates[w])
            var raw = RawFeatures()
            output.values.withUnsafeMutableBufferPointer { storage in
                for (k, entry) in rows.enumerated() {
                    let out = UnsafeMutableBufferPointer(rebasing: storage[(k * columns)..<((k + 1) * columns)])
                    extractor.advance(
                        &output.states[Int(entry.local)], with: batch[Int(entry.row)], into: out, raw: &raw,
                        includeRaw: keepRaw)
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

        var finalStates: [String: UserState] = [:]
        for (w, output) in outputs.enumerated() {
            for (local, u32) in usersOfWorker[w].enumerated() {
                let u = Int(u32)
                states[u] = output.states[local]
                if options.keepStates { finalStates[users.ids[u]] = output.states[local] }
            }
        }
        var values: [Float]
        var raws: [RawFeatures]
        if workers == 1, order == nil {
            // One worker over rows already in time order wrote them in input order.
            values = outputs[0].values
            raws = outputs[0].raw
        } else {
            values = [Float](repeating: 0, count: n * columns)
            raws = keepRaw ? Array(repeating: RawFeatures(), count: n) : []
            values.withUnsafeMutableBufferPointer { storage in
                for (w, output) in outputs.enumerated() {
                    output.values.withUnsafeBufferPointer { piece in
                        for (k, entry) in rowsOfWorker[w].enumerated() {
                            let row = Int(entry.row)
                            for c in 0..<columns { storage[row * columns + c] = piece[k * columns + c] }
                            if keepRaw { raws[row] = output.raw[k] }
                        }
                    }
                }
            }
        }
        outputs.removeAll()
        progress?(n)
        return FeatureReplayResult(
            matrix: FeatureMatrix(columns: columns, values: values), raw: raws, finalStates: finalStates)
    }

    /// One worker's rows (in its processing order), raw values and its users' states.
    private struct WorkerOutput: Sendable {
        var values: [Float]
        var raw: [RawFeatures]
        var states: [UserState]
    }
}
