import Domain

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

        /// Creates options; both default to off.
        public init(keepRaw: Bool = false, keepStates: Bool = false) {
            self.keepRaw = keepRaw
            self.keepStates = keepStates
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
    /// sorted when the input is already in order), but the rows come back in input order.
    /// - Parameters:
    ///   - initialStates: states to start from (e.g. the end of the training period); other users start cold.
    ///   - progress: called with the number of rows done, every 65,536 rows and at the end.
    public func run(
        _ transactions: [Transaction], initialStates: [String: UserState] = [:], options: Options = Options(),
        progress: ((Int) -> Void)? = nil
    ) -> FeatureReplayResult {
        let columns = FeatureSchema.current.count
        let n = transactions.count
        let order = Self.timeOrder(transactions)
        var userIndex: [String: Int] = [:]
        userIndex.reserveCapacity(min(n, 1 << 20))
        var userIDs: [String] = []
        var states: [UserState] = []
        var raws: [RawFeatures] = options.keepRaw ? Array(repeating: RawFeatures(), count: n) : []
        var values = [Float](repeating: 0, count: n * columns)
        var raw = RawFeatures()
        values.withUnsafeMutableBufferPointer { storage in
            for step in 0..<n {
                let row = order?[step] ?? step
                let t = transactions[row]
                let u: Int
                if let known = userIndex[t.userID] {
                    u = known
                } else {
                    u = states.count
                    userIndex[t.userID] = u
                    userIDs.append(t.userID)
                    states.append(initialStates[t.userID] ?? UserState())
                }
                let out = UnsafeMutableBufferPointer(rebasing: storage[(row * columns)..<((row + 1) * columns)])
                extractor.advance(&states[u], with: t, into: out, raw: &raw, includeRaw: options.keepRaw)
                if options.keepRaw {
                    raws[row] = raw
                    raw = RawFeatures()
                }
                if let progress, (step + 1) & 0xFFFF == 0 { progress(step + 1) }
            }
        }
        progress?(n)
        var finalStates = options.keepStates ? initialStates : [:]
        if options.keepStates {
            for (i, id) in userIDs.enumerated() { finalStates[id] = states[i] }
        }
        return FeatureReplayResult(
            matrix: FeatureMatrix(columns: columns, values: values), raw: raws, finalStates: finalStates)
    }

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
