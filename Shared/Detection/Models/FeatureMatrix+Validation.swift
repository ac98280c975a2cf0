extension FeatureMatrix {
    /// The position of the first NaN or infinite value, if any.
    func firstNonFinite() -> (row: Int, column: Int)? {
        let index: Int? = withUnsafeValues { values in values.firstIndex { !$0.isFinite } }
        return index.map { ($0 / columns, $0 % columns) }
    }

    /// Throws ``DetectionError/Code/invalidArgument`` naming the first non-finite value ("`what` value at row r,
    /// column c is not finite"), or the column name when `names` are given.
    func requireFinite(_ what: String, names: [String]? = nil) throws(DetectionError) {
        guard let (row, column) = firstNonFinite() else { return }
        let columnName = names.map { "feature '\($0[column])'" } ?? "column \(column)"
        throw DetectionError(.invalidArgument, "\(what) value at row \(row), \(columnName) is not finite")
    }
}
