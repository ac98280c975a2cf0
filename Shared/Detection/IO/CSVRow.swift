import Domain

/// One valid CSV row: where it starts, the transaction and its label when the file has labels.
public struct CSVRow: Sendable, Hashable {
    /// Physical line the row starts on (the header is line 1).
    public var line: Int
    /// The validated transaction.
    public var transaction: Transaction
    /// `nil` when the file has no `is_anomaly` column or the cell is empty.
    public var label: AnomalyLabel?

    /// Creates a row.
    public init(line: Int, transaction: Transaction, label: AnomalyLabel?) {
        self.line = line
        self.transaction = transaction
        self.label = label
    }
}

/// A CSV row that was refused, with every problem found in it (each naming its column).
public struct RowError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Physical line the row starts on (the header is line 1).
    public var line: Int
    /// The problems, e.g. `amount: must be a number`.
    public var problems: [FieldProblem]

    /// Creates a row error.
    public init(line: Int, problems: [FieldProblem]) {
        self.line = line
        self.problems = problems
    }

    /// `line 17: amount: must be a number; timestamp: must be an RFC 3339 timestamp …`
    public var description: String {
        "line \(line): " + problems.map(\.description).joined(separator: "; ")
    }
}
