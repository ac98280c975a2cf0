import Domain

/// What to do with refused rows when loading a whole file.
public struct BadRowPolicy: Sendable, Hashable {
    /// Loading fails when more than this share of rows (0…1) is refused.
    public var maximumBadRowShare: Double
    /// How many refused rows are kept for the report (all are counted).
    public var maximumReportedRows: Int

    /// Creates a policy.
    public init(maximumBadRowShare: Double, maximumReportedRows: Int = 100) {
        self.maximumBadRowShare = maximumBadRowShare
        self.maximumReportedRows = maximumReportedRows
    }

    /// Training: stop when more than 1% of rows are bad (the data is probably not what was meant).
    public static let training = BadRowPolicy(maximumBadRowShare: 0.01)
    /// Scoring: skip and report bad rows, however many.
    public static let scoring = BadRowPolicy(maximumBadRowShare: 1)
}

/// A whole CSV file in memory: the valid rows (in file order) and a report of the refused ones.
public struct CSVDataset: Sendable {
    /// Valid transactions, in file order.
    public var transactions: [Transaction]
    /// Labels aligned with ``transactions`` (`nil` where the row had none).
    public var labels: [AnomalyLabel?]
    /// Line each transaction started on.
    public var lines: [Int]
    /// The first refused rows (up to the policy's ``BadRowPolicy/maximumReportedRows``).
    public var badRows: [RowError]
    /// All refused rows.
    public var badRowCount: Int
    /// Header warnings (unknown columns).
    public var warnings: [String]
    /// Whether the file has an `is_anomaly` column.
    public var hasLabels: Bool

    /// Rows read, valid or not.
    public var totalRowCount: Int { transactions.count + badRowCount }
}

extension CSVTransactionReader {
    /// Loads a whole file, applying `policy` to refused rows.
    /// - Parameter progress: called with (bytes read, total bytes) every 64k rows and at the end.
    /// - Throws: ``DetectionError/Code/tooManyBadRows`` with the first problems when the policy's share is
    ///   exceeded; the reader's errors for a broken file.
    public static func readAll(
        path: String, policy: BadRowPolicy = .training, options: Options = Options(),
        progress: ((_ read: Int, _ total: Int?) -> Void)? = nil
    ) throws(DetectionError) -> CSVDataset {
        try CSVTransactionReader(path: path, options: options).readAll(policy: policy, progress: progress)
    }

    /// Reads the remaining rows of this reader under `policy`; see ``readAll(path:policy:options:progress:)``.
    public func readAll(policy: BadRowPolicy, progress: ((_ read: Int, _ total: Int?) -> Void)? = nil)
        throws(DetectionError) -> CSVDataset
    {
        var data = CSVDataset(
            transactions: [], labels: [], lines: [], badRows: [], badRowCount: 0, warnings: warnings,
            hasLabels: hasLabels)
        if let total = self.progress.total, !isCompressedInput {
            // About 100 bytes a row in typical files; a close guess saves regrowth copies of large arrays.
            let rows = total / 96
            data.transactions.reserveCapacity(rows)
            data.labels.reserveCapacity(rows)
            data.lines.reserveCapacity(rows)
        }
        var rows = 0
        while let record = try next() {
            switch record {
            case .success(let row):
                data.transactions.append(row.transaction)
                data.labels.append(row.label)
                data.lines.append(row.line)
            case .failure(let bad):
                data.badRowCount += 1
                if data.badRows.count < policy.maximumReportedRows { data.badRows.append(bad) }
            }
            rows += 1
            if let progress, rows & 0xFFFF == 0 { progress(self.progress.read, self.progress.total) }
        }
        progress?(self.progress.read, self.progress.total)
        let share = data.totalRowCount > 0 ? Double(data.badRowCount) / Double(data.totalRowCount) : 0
        if share > policy.maximumBadRowShare {
            let examples = data.badRows.prefix(5).map(\.description).joined(separator: "\n  ")
            throw DetectionError(
                .tooManyBadRows,
                "\(data.badRowCount) of \(data.totalRowCount) rows (\(Self.percent(share))) are invalid, more than the "
                    + "allowed \(Self.percent(policy.maximumBadRowShare)); fix the rows or allow a larger share. "
                    + "First problems:\n  \(examples)")
        }
        return data
    }

    private static func percent(_ share: Double) -> String {
        let tenths = Int((share * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
