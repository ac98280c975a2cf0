/// Per-column standardisation `(x − mean) / scale`, fitted on training features and stored in the model bundle.
///
/// Columns with (near) zero spread get scale 1, so a constant column becomes 0 instead of dividing by zero.
public struct StandardScaler: Sendable, Hashable, Codable {
    /// Column means.
    public private(set) var means: [Double]
    /// Column scales (population standard deviations, or 1 for constant columns).
    public private(set) var scales: [Double]

    /// Spreads below this count as constant.
    public static let minimumScale = 1e-9

    /// Number of columns the scaler was fitted on.
    public var columns: Int { means.count }

    /// Creates a scaler from explicit means and scales.
    /// - Throws: ``DetectionError/Code/invalidArgument`` unless both have the same length and scales are positive.
    public init(means: [Double], scales: [Double]) throws(DetectionError) {
        guard means.count == scales.count, !means.isEmpty else {
            throw DetectionError(
                .invalidArgument, "scaler needs as many scales (\(scales.count)) as means (\(means.count)), at least 1")
        }
        guard means.allSatisfy(\.isFinite), scales.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw DetectionError(.invalidArgument, "scaler means must be finite and scales finite and positive")
        }
        self.means = means
        self.scales = scales
    }

    /// Fits means and standard deviations on every row of `matrix` (two passes in `Double` for accuracy).
    /// - Throws: ``DetectionError/Code/invalidArgument`` for a matrix without rows or with non-finite values.
    public static func fit(_ matrix: FeatureMatrix) throws(DetectionError) -> StandardScaler {
        guard matrix.rows > 0 else { throw DetectionError(.invalidArgument, "cannot fit a scaler on zero rows") }
        let columns = matrix.columns
        var sums = [Double](repeating: 0, count: columns)
        var squares = [Double](repeating: 0, count: columns)
        let finite: Bool = matrix.withUnsafeValues { v in
            for r in 0..<matrix.rows {
                let base = r * columns
                for c in 0..<columns { sums[c] += Double(v[base + c]) }
            }
            guard sums.allSatisfy(\.isFinite) else { return false }
            let means = sums.map { $0 / Double(matrix.rows) }
            for r in 0..<matrix.rows {
                let base = r * columns
                for c in 0..<columns {
                    let d = Double(v[base + c]) - means[c]
                    squares[c] += d * d
                }
            }
            return true
        }
        guard finite else {
            throw DetectionError(.invalidArgument, "feature matrix holds non-finite values; cannot fit a scaler")
        }
        let means = sums.map { $0 / Double(matrix.rows) }
        let scales = squares.map { s -> Double in
            let sd = (s / Double(matrix.rows)).squareRoot()
            return sd > minimumScale ? sd : 1
        }
        return try StandardScaler(means: means, scales: scales)
    }

    /// Standardises every row of `matrix` in place.
    /// - Throws: ``DetectionError/Code/schemaMismatch`` when the column count differs from the fitted one.
    public func transform(_ matrix: inout FeatureMatrix) throws(DetectionError) {
        try checkColumns(matrix.columns)
        let columns = matrix.columns
        let m = means.map(Float.init)
        let inverse = scales.map { Float(1 / $0) }
        for r in 0..<matrix.rows {
            for c in 0..<columns { matrix[r, c] = (matrix[r, c] - m[c]) * inverse[c] }
        }
    }

    /// Standardises one row in place (online scoring).
    public func transform(row: inout [Float]) throws(DetectionError) {
        try checkColumns(row.count)
        for c in row.indices { row[c] = (row[c] - Float(means[c])) * Float(1 / scales[c]) }
    }

    private func checkColumns(_ count: Int) throws(DetectionError) {
        guard count == means.count else {
            throw DetectionError(.schemaMismatch, "scaler was fitted on \(means.count) columns, got \(count)")
        }
    }

    enum CodingKeys: String, CodingKey {
        case means, scales
    }

    /// Decodes and validates a scaler (equal lengths, finite means, positive scales).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(means: c.decode([Double].self, forKey: .means), scales: c.decode([Double].self, forKey: .scales))
    }
}
