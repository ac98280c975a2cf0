/// Quantile bin edges per feature: the discretisation histogram-based gradient boosting trains on.
///
/// Feature `f` has edges e₀ < e₁ < … < e_{k−2} (at most ``maximumBins`` − 1); a value's bin is the first `i` with
/// x ≤ eᵢ, else k − 1. A split "bin ≤ b" is therefore the raw test x ≤ e_b, which is what the trees store, so
/// scoring never needs the bins.
struct FeatureBins: Sendable {
    /// At most 255 bins so a binned value fits a byte.
    static let maximumBins = 255

    /// Edges per feature (ascending, distinct, finite).
    let edges: [[Float]]

    /// Bins per feature (edges + 1).
    func binCount(_ feature: Int) -> Int { edges[feature].count + 1 }

    /// Fits edges on (up to `sampleLimit` evenly spaced rows of) `data`, `bins` per feature at most.
    init(fitting data: FeatureMatrix, rows: [Int], bins: Int, sampleLimit: Int = 200_000) {
        let step = max(1, rows.count / max(1, sampleLimit))
        let sample = stride(from: 0, to: rows.count, by: step).map { rows[$0] }
        var edges: [[Float]] = []
        edges.reserveCapacity(data.columns)
        var column = [Float](repeating: 0, count: sample.count)
        for f in 0..<data.columns {
            for (i, r) in sample.enumerated() { column[i] = data[r, f] }
            column.sort()
            var distinct: [Float] = []
            for v in column where distinct.last != v { distinct.append(v) }
            var cuts: [Float] = []
            if distinct.count <= bins {
                // Every distinct value its own bin: edges halfway between neighbours.
                for i in 0..<(distinct.count - 1) { cuts.append(Self.midpoint(distinct[i], distinct[i + 1])) }
            } else {
                for q in 1..<bins {
                    let v = column[min(column.count - 1, column.count * q / bins)]
                    // The edge sits just below the quantile value, so equal values stay in one bin.
                    guard let next = distinct.firstIndex(where: { $0 >= v }), next > 0 else { continue }
                    let edge = Self.midpoint(distinct[next - 1], distinct[next])
                    if cuts.last.map({ edge > $0 }) ?? true { cuts.append(edge) }
                }
            }
            edges.append(cuts)
        }
        self.edges = edges
    }

    /// The bin index matrix of the given rows, column-major (`columns × rows.count` bytes: feature f of row i at
    /// `f · rows.count + i`), so a histogram or a split reads one feature's bins in row order.
    func bin(_ data: FeatureMatrix, rows: [Int]) -> [UInt8] {
        let columns = data.columns
        let count = rows.count
        var out = [UInt8](repeating: 0, count: count * columns)
        out.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            ParallelRows.forEachChunk(rows: count, minimumChunk: 8192) { range in
                for i in range {
                    let r = rows[i]
                    for f in 0..<columns {
                        base[f * count + i] = UInt8(Self.bin(data[r, f], edges: edges[f]))
                    }
                }
            }
        }
        return out
    }

    /// The bin of `value`: the first edge at or above it (binary search).
    static func bin(_ value: Float, edges: [Float]) -> Int {
        var lo = 0
        var hi = edges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if value <= edges[mid] { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// A value strictly between `a` and `b` (a < b), halfway when representable.
    private static func midpoint(_ a: Float, _ b: Float) -> Float {
        let m = a + (b - a) / 2
        return m < b && m >= a ? m : a
    }
}
