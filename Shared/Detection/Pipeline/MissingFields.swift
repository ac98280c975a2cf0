import Domain

/// Missingness seen in training: a seeded share of the training rows is added again as partial transactions.
///
/// Only `transaction_id, user_id, timestamp, amount` are required (SPEC §2). A model that only ever saw complete
/// rows finds a partial one out of its distribution (missingness flags never set, every channel column zero) and
/// scores it high for the absence alone. The copies are the same transactions with every optional field
/// (merchant, category, channel, location, country) blanked, their features replayed in time order among the
/// other rows exactly as serving would compute them for such traffic (the users' states then hold the partial
/// rows too), so the unsupervised models learn what a normal partial transaction looks like.
enum MissingFields {
    /// The features of partial copies of a seeded `share` of `rows` (indices into `transactions`), in the order
    /// of `rows`; empty when `share` is 0.
    static func partialCopies(
        of transactions: [Transaction], rows: [Int], share: Double, seed: UInt64, priors: FeaturePriors
    ) -> FeatureMatrix {
        let chosen = choose(rows: rows, share: share, seed: seed)
        guard !chosen.isEmpty else { return FeatureMatrix(columns: FeatureSchema.current.count) }
        var partial = transactions
        for row in chosen { partial[row] = blanked(transactions[row]) }
        return FeatureReplay(priors: priors).run(partial).matrix.selecting(rows: chosen)
    }

    /// A seeded share of `rows` (each row drawn with probability `share`), in their order.
    static func choose(rows: [Int], share: Double, seed: UInt64) -> [Int] {
        var random = Xoshiro256StarStar(seed: seed, stream: 0x4D49_5353)  // "MISS"
        var chosen: [Int] = []
        for row in rows where share > 0 && Double.random(in: 0..<1, using: &random) < share { chosen.append(row) }
        return chosen
    }

    /// `transaction` with only its required fields (and currency).
    static func blanked(_ transaction: Transaction) -> Transaction {
        Transaction(
            transactionID: transaction.transactionID, userID: transaction.userID,
            timestampMillis: transaction.timestampMillis, amount: transaction.amount, currency: transaction.currency)
    }
}
