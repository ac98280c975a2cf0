import Foundation

/// A model's raw-score distribution on its training rows, as a table of evenly spaced quantiles, mapping any raw
/// score to a calibrated score in [0, 1] (the share of training rows scoring lower).
///
/// Between table entries the mapping interpolates linearly. Above the training maximum it approaches 1 through a
/// thin exponential tail (the top ``tailMass`` of the range), so scores beyond anything seen in training keep their
/// order instead of all tying at 1. Below the training minimum it is 0. The mapping is monotone non-decreasing and
/// depends only on the table, so a row's calibrated score never depends on other rows.
public struct EmpiricalCDF: Sendable, Hashable, Codable {
    /// Raw scores at probabilities 0, 1/R, 2/R, …, 1 (R = `quantiles.count − 1`), non-decreasing.
    public let quantiles: [Double]

    /// Default number of intervals (1,001 table entries).
    public static let defaultResolution = 1000
    /// Share of the [0, 1] range reserved for raw scores above the training maximum.
    public static let tailMass = 1e-4

    /// Fits the table on training scores (type-7 quantiles, i.e. linear interpolation between order statistics).
    ///
    /// Throws ``DetectionError/Code/invalidArgument`` for no scores, non-finite scores or a resolution below 1.
    public init(fitting scores: [Float], resolution: Int = EmpiricalCDF.defaultResolution) throws(DetectionError) {
        guard !scores.isEmpty else { throw DetectionError(.invalidArgument, "cannot calibrate on zero scores") }
        guard resolution >= 1 else {
            throw DetectionError(.invalidArgument, "calibration resolution must be ≥ 1, got \(resolution)")
        }
        guard scores.allSatisfy(\.isFinite) else {
            throw DetectionError(.invalidArgument, "cannot calibrate on non-finite scores")
        }
        let sorted = scores.sorted()
        let last = Double(sorted.count - 1)
        quantiles = (0...resolution).map { i in
            let position = last * Double(i) / Double(resolution)
            let lower = Int(position.rounded(.down))
            let upper = min(lower + 1, sorted.count - 1)
            let fraction = position - Double(lower)
            return Double(sorted[lower]) + fraction * (Double(sorted[upper]) - Double(sorted[lower]))
        }
    }

    /// A table read back from a bundle; throws ``DetectionError/Code/corruptModel`` unless it has at least two
    /// finite, non-decreasing entries.
    public init(quantiles: [Double]) throws(DetectionError) {
        guard quantiles.count >= 2 else {
            throw DetectionError(.corruptModel, "calibration table needs at least 2 entries, has \(quantiles.count)")
        }
        for i in quantiles.indices {
            guard quantiles[i].isFinite else {
                throw DetectionError(.corruptModel, "calibration table entry \(i) is not finite")
            }
            guard i == 0 || quantiles[i] >= quantiles[i - 1] else {
                throw DetectionError(.corruptModel, "calibration table decreases at entry \(i)")
            }
        }
        self.quantiles = quantiles
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.singleValueContainer().decode([Double].self)
        try self.init(quantiles: values)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(quantiles)
    }

    /// The calibrated score of `raw`, in [0, 1]; NaN maps to 0.
    public func probability(_ raw: Double) -> Double {
        let q = quantiles
        let r = q.count - 1
        guard raw >= q[0] else { return 0 }
        let body = 1 - Self.tailMass
        if raw >= q[r] {
            let width = tailWidth
            return 1 - Self.tailMass * exp(-(raw - q[r]) / width)
        }
        // Largest i with q[i] ≤ raw (exists since raw ≥ q[0]; i < r since raw < q[r]).
        var lo = 0
        var hi = r
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if q[mid] <= raw { lo = mid } else { hi = mid }
        }
        let span = q[lo + 1] - q[lo]
        let fraction = span > 0 ? (raw - q[lo]) / span : 0
        return (Double(lo) + fraction) / Double(r) * body
    }

    /// The raw score at probability `p` (the inverse of the table, without the tail).
    public func quantile(_ p: Double) -> Double {
        let r = quantiles.count - 1
        let position = min(max(p, 0), 1) * Double(r)
        let lower = min(Int(position.rounded(.down)), r - 1)
        let fraction = position - Double(lower)
        return quantiles[lower] + fraction * (quantiles[lower + 1] - quantiles[lower])
    }

    /// Scale of the exponential tail: the raw-score width of the top 1 % of training rows (never zero).
    private var tailWidth: Double {
        let q = quantiles
        let r = q.count - 1
        let top = q[r]
        let spread = top - q[max(0, r - max(1, r / 100))]
        return max(spread, abs(top) * 1e-6, 1e-12)
    }
}
