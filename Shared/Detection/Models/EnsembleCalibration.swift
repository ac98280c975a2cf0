/// Turns the two models' raw scores into calibrated scores, the ensemble score, the anomaly decision and the risk
/// level — everything fitted on the training rows and stored in the bundle manifest.
///
/// Each raw score is calibrated by its model's ``EmpiricalCDF``; the ensemble is their weighted average;
/// `is_anomaly` is `ensemble ≥ anomalyThreshold`, the (1 − contamination) quantile of the training ensemble
/// scores; the risk level comes from ``RiskTable``. Nothing here looks at other rows, so one row's result never
/// depends on the batch it is scored in.
public struct EnsembleCalibration: Sendable, Hashable, Codable {
    /// Ensemble weights of the two models (normalised to sum to 1).
    public struct Weights: Sendable, Hashable, Codable {
        /// Weight of the calibrated Isolation Forest score.
        public var isolationForest: Double
        /// Weight of the calibrated autoencoder score.
        public var autoencoder: Double

        /// Weights as given (normalised by ``normalized()`` before use).
        public init(isolationForest: Double = 0.5, autoencoder: Double = 0.5) {
            self.isolationForest = isolationForest
            self.autoencoder = autoencoder
        }

        /// The weights scaled to sum to 1; throws ``DetectionError/Code/invalidArgument`` for negative or
        /// non-finite weights or an all-zero pair.
        public func normalized() throws(DetectionError) -> Weights {
            guard isolationForest.isFinite, autoencoder.isFinite, isolationForest >= 0, autoencoder >= 0,
                isolationForest + autoencoder > 0
            else {
                throw DetectionError(
                    .invalidArgument,
                    "ensemble weights must be non-negative and not both zero, got \(isolationForest),\(autoencoder)")
            }
            let total = isolationForest + autoencoder
            return Weights(isolationForest: isolationForest / total, autoencoder: autoencoder / total)
        }

        enum CodingKeys: String, CodingKey {
            case isolationForest = "isolation_forest"
            case autoencoder
        }
    }

    /// Normalised ensemble weights.
    public let weights: Weights
    /// Expected share of anomalies in the training data; sets ``anomalyThreshold``.
    public let contamination: Double
    /// Calibration of the Isolation Forest's raw score.
    public let isolationForest: EmpiricalCDF
    /// Calibration of the autoencoder's reconstruction error.
    public let autoencoder: EmpiricalCDF
    /// Distribution of the ensemble score on the training rows.
    public let ensemble: EmpiricalCDF
    /// Ensemble score at and above which a row is an anomaly.
    public let anomalyThreshold: Double
    /// Risk levels by ensemble score.
    public let risk: RiskTable

    /// Fits calibration, threshold and risk table on the training rows' raw scores (aligned arrays).
    public init(
        isolationForestScores: [Float], autoencoderScores: [Float], weights: Weights, contamination: Double,
        riskPercentiles: RiskTable.Percentiles = RiskTable.Percentiles()
    ) throws(DetectionError) {
        guard contamination.isFinite, contamination > 0, contamination < 0.5 else {
            throw DetectionError(.invalidArgument, "contamination must be in (0, 0.5), got \(contamination)")
        }
        guard isolationForestScores.count == autoencoderScores.count else {
            throw DetectionError(.invalidArgument, "model score arrays differ in length")
        }
        try riskPercentiles.validate()
        self.weights = try weights.normalized()
        self.contamination = contamination
        let forestCDF = try EmpiricalCDF(fitting: isolationForestScores)
        let autoencoderCDF = try EmpiricalCDF(fitting: autoencoderScores)
        self.isolationForest = forestCDF
        self.autoencoder = autoencoderCDF
        let w = self.weights
        let combined = zip(isolationForestScores, autoencoderScores).map { pair in
            Float(
                w.isolationForest * forestCDF.probability(Double(pair.0)) + w.autoencoder
                    * autoencoderCDF.probability(Double(pair.1)))
        }
        let ensembleCDF = try EmpiricalCDF(fitting: combined)
        self.ensemble = ensembleCDF
        self.anomalyThreshold = ensembleCDF.quantile(1 - contamination)
        self.risk = RiskTable(
            percentiles: riskPercentiles, anomalyThreshold: anomalyThreshold, trainingScores: ensembleCDF)
    }

    /// Calibrated scores of one row: (Isolation Forest, autoencoder, ensemble), each in [0, 1].
    @inline(__always)
    public func calibrate(isolationForest raw1: Float, autoencoder raw2: Float) -> (
        isolationForest: Double, autoencoder: Double, ensemble: Double
    ) {
        let a = isolationForest.probability(Double(raw1))
        let b = autoencoder.probability(Double(raw2))
        return (a, b, weights.isolationForest * a + weights.autoencoder * b)
    }

    /// Throws ``DetectionError/Code/corruptModel`` when values read from a bundle are inconsistent.
    public func validate() throws(DetectionError) {
        guard contamination.isFinite, contamination > 0, contamination < 0.5 else {
            throw DetectionError(.corruptModel, "contamination must be in (0, 0.5), got \(contamination)")
        }
        guard anomalyThreshold.isFinite, (0...1).contains(anomalyThreshold) else {
            throw DetectionError(.corruptModel, "anomaly threshold must be in [0, 1], got \(anomalyThreshold)")
        }
        do {
            _ = try weights.normalized()
        } catch {
            throw DetectionError(.corruptModel, error.message)
        }
        try risk.validate()
    }

    enum CodingKeys: String, CodingKey {
        case weights, contamination
        case isolationForest = "isolation_forest_calibration"
        case autoencoder = "autoencoder_calibration"
        case ensemble = "ensemble_calibration"
        case anomalyThreshold = "anomaly_threshold"
        case risk = "risk_table"
    }
}
