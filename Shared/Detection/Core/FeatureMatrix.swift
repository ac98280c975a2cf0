/// A dense, row-major matrix of `Float` features: one row per transaction, one column per feature.
///
/// The storage is one contiguous array so models can run tight loops over it; `rows * columns == values.count`.
public struct FeatureMatrix: Sendable, Hashable {
    /// Number of rows (transactions).
    public private(set) var rows: Int
    /// Number of columns (features).
    public let columns: Int
    /// Row-major values.
    public private(set) var values: [Float]

    /// An empty matrix with the given number of columns.
    public init(columns: Int) {
        precondition(columns > 0, "a feature matrix needs at least one column")
        self.rows = 0
        self.columns = columns
        self.values = []
    }

    /// A matrix over existing row-major values; `values.count` must be a multiple of `columns`.
    public init(columns: Int, values: [Float]) {
        precondition(columns > 0 && values.count % columns == 0, "values do not fill whole rows")
        self.rows = values.count / columns
        self.columns = columns
        self.values = values
    }

    /// Reserves room for `rows` rows.
    public mutating func reserveCapacity(rows: Int) {
        values.reserveCapacity(rows * columns)
    }

    /// Appends one row; `row.count` must equal `columns`.
    public mutating func append(row: some Collection<Float>) {
        precondition(row.count == columns, "row has \(row.count) values, matrix has \(columns) columns")
        values.append(contentsOf: row)
        rows += 1
    }

    /// The values of row `index`.
    public subscript(row index: Int) -> ArraySlice<Float> {
        values[(index * columns)..<((index + 1) * columns)]
    }

    /// The value at (`row`, `column`).
    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// A new matrix holding the given rows, in the given order.
    public func selecting(rows indices: some Sequence<Int>) -> FeatureMatrix {
        var out = FeatureMatrix(columns: columns)
        for i in indices { out.append(row: self[row: i]) }
        return out
    }

    /// Calls `body` with the whole row-major storage, for tight loops.
    public func withUnsafeValues<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try values.withUnsafeBufferPointer(body)
    }
}
