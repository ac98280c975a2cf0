import Domain

/// Maps an ensemble score to a ``Domain/RiskLevel`` through minimum scores per level, fitted as percentiles of the
/// training ensemble scores and stored in the bundle.
public struct RiskTable: Sendable, Hashable, Codable {
    /// Which percentiles of the training ensemble distribution start each level.
    public struct Percentiles: Sendable, Hashable, Codable {
        /// Start of `medium`; `nil` means the anomaly threshold (1 − contamination).
        public var medium: Double?
        /// Start of `high` (default 0.98).
        public var high: Double
        /// Start of `critical` (default 0.995).
        public var critical: Double

        /// The defaults of SPEC §3: medium at the anomaly threshold, high at 0.98, critical at 0.995.
        public init(medium: Double? = nil, high: Double = 0.98, critical: Double = 0.995) {
            self.medium = medium
            self.high = high
            self.critical = critical
        }

        /// Throws ``DetectionError/Code/invalidArgument`` unless every percentile is in (0, 1).
        public func validate() throws(DetectionError) {
            for (name, value) in [("medium", medium), ("high", high), ("critical", critical)] {
                if let value, !(value > 0 && value < 1) {
                    throw DetectionError(.invalidArgument, "\(name) risk percentile must be in (0, 1), got \(value)")
                }
            }
        }
    }

    /// The percentiles the table was fitted with.
    public let percentiles: Percentiles
    /// Minimum ensemble score of `medium`, `high` and `critical`, non-decreasing.
    public let medium: Double
    public let high: Double
    public let critical: Double

    /// Fits the thresholds on training ensemble scores.
    ///
    /// Levels never overlap: when a lower level's percentile lands above a higher one's (e.g. contamination 1 %
    /// puts medium above the 98th percentile), the higher level starts where the lower one does.
    public init(percentiles: Percentiles, anomalyThreshold: Double, trainingScores cdf: EmpiricalCDF) {
        self.percentiles = percentiles
        let medium = percentiles.medium.map(cdf.quantile) ?? anomalyThreshold
        let high = max(medium, cdf.quantile(percentiles.high))
        self.medium = medium
        self.high = high
        self.critical = max(high, cdf.quantile(percentiles.critical))
    }

    /// The level of an ensemble score.
    public func level(_ score: Double) -> RiskLevel {
        if score >= critical { return .critical }
        if score >= high { return .high }
        if score >= medium { return .medium }
        return .low
    }

    /// Throws ``DetectionError/Code/corruptModel`` unless the thresholds are finite and non-decreasing.
    public func validate() throws(DetectionError) {
        guard medium.isFinite, high.isFinite, critical.isFinite, medium <= high, high <= critical else {
            throw DetectionError(
                .corruptModel, "risk table thresholds must be finite and non-decreasing, got \(medium), \(high), \(critical)")
        }
        try percentiles.validate()
    }
}
