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
        var session = FeatureReplaySession(extractor: extractor, initialStates: initialStates)
        var result = session.run(transactions, options: options, progress: progress)
        if options.keepStates {
            // Users absent from the input keep their initial state.
            result.finalStates.merge(initialStates) { replayed, _ in replayed }
        }
        return result
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
