/// How each standardised feature column enters the models; fitted at training and stored in the bundle.
///
/// Risk signals (amount against the user's spend, velocity, distance, travel speed, unusual hour, new merchant…)
/// become their ``TailSurprise`` in the direction an analyst reads as risky; context columns (channel, hour
/// position, category frequency, missingness flags) stay standardised; descriptive columns that say nothing about
/// risk (weekend, history length) are held at 0 so they do not dilute the models. The choice per column comes from
/// ``FeatureSchema/inputRoles`` at training; serving applies what the bundle stored.
public struct ModelInputs: Sendable, Hashable {
    /// The treatment of one column.
    public enum Column: Sendable, Hashable {
        case standardised
        case tail(TailSurprise)
        case ignored
    }

    /// One entry per schema column.
    public let columns: [Column]

    /// Creates the inputs from explicit column treatments.
    public init(columns: [Column]) { self.columns = columns }

    /// Fits the tail tables on a standardised training matrix, following `roles` (one per column).
    /// - Throws: ``DetectionError/Code/invalidArgument`` when the matrix is empty or `roles` does not match its
    ///   width.
    public static func fit(_ matrix: FeatureMatrix, roles: [FeatureInputRole]) throws(DetectionError) -> ModelInputs {
        guard roles.count == matrix.columns, matrix.rows > 0 else {
            throw DetectionError(
                .invalidArgument,
                "model inputs need a non-empty matrix and one role per column (\(roles.count) roles, "
                    + "\(matrix.columns) columns)")
        }
        var columns: [Column] = []
        for (c, role) in roles.enumerated() {
            switch role {
            case .context: columns.append(.standardised)
            case .ignored: columns.append(.ignored)
            case .riskHigh, .riskLow:
                let values = (0..<matrix.rows).map { matrix[$0, c] }
                columns.append(.tail(try TailSurprise(fitting: values, direction: role == .riskHigh ? 1 : -1)))
            }
        }
        return ModelInputs(columns: columns)
    }

    /// Applies the treatments to every row of a standardised matrix in place.
    /// - Throws: ``DetectionError/Code/schemaMismatch`` when the column count differs.
    public func transform(_ matrix: inout FeatureMatrix) throws(DetectionError) {
        guard matrix.columns == columns.count else {
            throw DetectionError(
                .schemaMismatch, "model inputs were fitted on \(columns.count) columns, got \(matrix.columns)")
        }
        for (c, column) in columns.enumerated() {
            switch column {
            case .standardised: continue
            case .ignored: for r in 0..<matrix.rows { matrix[r, c] = 0 }
            case .tail(let table): for r in 0..<matrix.rows { matrix[r, c] = table.surprise(matrix[r, c]) }
            }
        }
    }
}

extension ModelInputs: Codable {
    private enum Keys: String, CodingKey { case use, direction, knots }

    /// Encodes as an array of `{"use": "standardised" | "ignored" | "tail", "direction", "knots"}`.
    public func encode(to encoder: any Encoder) throws {
        var list = encoder.unkeyedContainer()
        for column in columns {
            var entry = list.nestedContainer(keyedBy: Keys.self)
            switch column {
            case .standardised: try entry.encode("standardised", forKey: .use)
            case .ignored: try entry.encode("ignored", forKey: .use)
            case .tail(let table):
                try entry.encode("tail", forKey: .use)
                try entry.encode(table.direction, forKey: .direction)
                try entry.encode(table.knots, forKey: .knots)
            }
        }
    }

    /// Decodes and validates every column (unknown uses and bad tables are refused).
    public init(from decoder: any Decoder) throws {
        var list = try decoder.unkeyedContainer()
        var columns: [Column] = []
        while !list.isAtEnd {
            let entry = try list.nestedContainer(keyedBy: Keys.self)
            switch try entry.decode(String.self, forKey: .use) {
            case "standardised": columns.append(.standardised)
            case "ignored": columns.append(.ignored)
            case "tail":
                columns.append(
                    .tail(
                        try TailSurprise(
                            direction: entry.decode(Float.self, forKey: .direction),
                            knots: entry.decode([Float].self, forKey: .knots))))
            case let other:
                throw DetectionError(.corruptModel, "model input column \(columns.count) has unknown use '\(other)'")
            }
        }
        self.columns = columns
    }
}
