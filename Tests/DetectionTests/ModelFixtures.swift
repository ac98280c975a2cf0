@testable import Detection

/// Small deterministic data sets for the model tests.
enum ModelFixtures {
    /// A fixed 12 × 3 matrix: a tight cluster plus one far point (row 11), for golden vectors.
    static let tiny = FeatureMatrix(
        columns: 3,
        values: [
            0.10, 0.20, -0.10, -0.20, 0.00, 0.30, 0.30, -0.10, 0.10, 0.00, 0.10, 0.00,
            -0.10, -0.30, 0.20, 0.20, 0.10, -0.20, -0.30, 0.20, 0.10, 0.10, -0.20, -0.30,
            0.00, 0.30, 0.20, -0.20, -0.10, -0.10, 0.20, 0.00, 0.00, 4.00, -3.00, 5.00,
        ])

    /// `rows` standard-normal rows of `columns` features.
    static func gaussian(rows: Int, columns: Int, seed: UInt64) -> FeatureMatrix {
        var rng = Xoshiro256StarStar(seed: seed)
        return FeatureMatrix(columns: columns, values: (0..<(rows * columns)).map { _ in Float(rng.nextGaussian()) })
    }

    /// Rows on a `rank`-dimensional linear subspace of `columns` dimensions plus small noise.
    static func lowRank(rows: Int, columns: Int, rank: Int, noise: Float, seed: UInt64) -> FeatureMatrix {
        var rng = Xoshiro256StarStar(seed: seed)
        let basis = (0..<(rank * columns)).map { _ in Float(rng.nextGaussian()) / Float(rank).squareRoot() }
        var values: [Float] = []
        values.reserveCapacity(rows * columns)
        for _ in 0..<rows {
            let z = (0..<rank).map { _ in Float(rng.nextGaussian()) }
            for c in 0..<columns {
                var v: Float = 0
                for k in 0..<rank { v += z[k] * basis[k * columns + c] }
                values.append(v + noise * Float(rng.nextGaussian()))
            }
        }
        return FeatureMatrix(columns: columns, values: values)
    }

    /// Row `index` as an array.
    static func row(_ matrix: FeatureMatrix, _ index: Int) -> [Float] { Array(matrix[row: index]) }
}
