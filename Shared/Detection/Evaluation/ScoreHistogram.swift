/// Counts of normal and anomalous rows per score bin, for the "normal vs anomaly" score histogram.
public struct ScoreHistogram: Sendable, Hashable, Codable {
    /// Lower edge of the first bin.
    public var lower: Double
    /// Upper edge of the last bin.
    public var upper: Double
    /// Normal rows per bin (the last bin includes `upper`).
    public var normal: [Int]
    /// Anomalous rows per bin.
    public var anomaly: [Int]

    /// Bins `scores` by label over `range` (default: the scores' own range; NaN scores are left out).
    /// - Precondition: equal lengths and `bins > 0`.
    public init(labels: [Bool], scores: [Double], bins: Int = 40, range: ClosedRange<Double>? = nil) {
        precondition(labels.count == scores.count, "labels and scores differ in length")
        precondition(bins > 0, "a histogram needs at least one bin")
        let finite = scores.filter(\.isFinite)
        var lower = range?.lowerBound ?? finite.min() ?? 0
        var upper = range?.upperBound ?? finite.max() ?? 1
        if upper <= lower {
            lower -= 0.5
            upper += 0.5
        }
        self.lower = lower
        self.upper = upper
        normal = Array(repeating: 0, count: bins)
        anomaly = Array(repeating: 0, count: bins)
        let width = (upper - lower) / Double(bins)
        for (label, score) in zip(labels, scores) where score.isFinite && score >= lower && score <= upper {
            let bin = min(Int((score - lower) / width), bins - 1)
            if label { anomaly[bin] += 1 } else { normal[bin] += 1 }
        }
    }

    /// Width of one bin.
    public var binWidth: Double { (upper - lower) / Double(normal.count) }
}
