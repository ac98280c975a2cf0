import Foundation

/// The supervised half of a bundle trained with analysts' labels, as recorded in its manifest.
///
/// The gradient-boosted trees (`gradient_boosting.bin`) see the model inputs plus the calibrated Isolation Forest
/// and autoencoder scores (``inputs(scaled:isolationForest:autoencoder:)``). The bundle's final score is the
/// ``stacking`` blend of logit(IF), logit(AE) and the trees' margin, fitted on the latest labelled training rows,
/// which the trees never saw. Decisions and risk levels use this record's thresholds instead of the
/// unsupervised ensemble's.
public struct SupervisedBlend: Sendable, Hashable, Codable {
    /// The blend's inputs, in order.
    public static let inputNames = ["isolation_forest_logit", "autoencoder_logit", "gradient_boosting_margin"]
    /// Names of the two columns appended to the schema's for the trees.
    public static let extraColumns = ["isolation_forest_score", "autoencoder_score"]

    /// How many labels went where.
    public struct LabelCounts: Sendable, Hashable, Codable {
        /// Labels given, and those that matched a training row.
        public var given: Int
        public var matched: Int
        /// Matched labels per class.
        public var fraud: Int
        public var legitimate: Int
        /// Labelled rows the trees were fitted on (early-stopping split included) and rows the blend was fitted on.
        public var boostingRows: Int
        public var stackingRows: Int
        /// Unlabelled training rows used as presumed negatives, and their weight (0: not used).
        public var unlabelledRows: Int
        public var unlabelledWeight: Double
        /// Unlabelled rows of the blend's period the blend was also fitted on as presumed negatives
        /// (``TrainingOptions/blendUnlabelled``; 0: labelled rows only; absent in bundles from before the option).
        public var blendUnlabelledRows: Int?

        /// Creates a record.
        public init(
            given: Int, matched: Int, fraud: Int, legitimate: Int, boostingRows: Int, stackingRows: Int,
            unlabelledRows: Int, unlabelledWeight: Double, blendUnlabelledRows: Int? = nil
        ) {
            self.blendUnlabelledRows = blendUnlabelledRows
            self.given = given
            self.matched = matched
            self.fraud = fraud
            self.legitimate = legitimate
            self.boostingRows = boostingRows
            self.stackingRows = stackingRows
            self.unlabelledRows = unlabelledRows
            self.unlabelledWeight = unlabelledWeight
        }

        enum CodingKeys: String, CodingKey {
            case given, matched, fraud, legitimate
            case boostingRows = "boosting_rows"
            case stackingRows = "stacking_rows"
            case unlabelledRows = "unlabelled_rows"
            case unlabelledWeight = "unlabelled_weight"
            case blendUnlabelledRows = "blend_unlabelled_rows"
        }
    }

    /// Label counts.
    public var labels: LabelCounts
    /// The blend (weights of logit IF, logit AE, trees' margin).
    public var stacking: LogisticStacking
    /// The trees' options and training history.
    public var gradientBoosting: GradientBoosting.Configuration
    public var boostingHistory: GradientBoosting.TrainingHistory
    /// Final score at and above which a row is an anomaly.
    public var anomalyThreshold: Double
    /// Risk levels by final score.
    public var risk: RiskTable

    /// Creates a record.
    public init(
        labels: LabelCounts, stacking: LogisticStacking, gradientBoosting: GradientBoosting.Configuration,
        boostingHistory: GradientBoosting.TrainingHistory, anomalyThreshold: Double, risk: RiskTable
    ) {
        self.labels = labels
        self.stacking = stacking
        self.gradientBoosting = gradientBoosting
        self.boostingHistory = boostingHistory
        self.anomalyThreshold = anomalyThreshold
        self.risk = risk
    }

    /// The trees' inputs: each row of the scaled model-input matrix followed by its calibrated Isolation Forest
    /// and autoencoder scores.
    public static func inputs(scaled: FeatureMatrix, isolationForest: [Double], autoencoder: [Double])
        -> FeatureMatrix
    {
        let columns = scaled.columns + 2
        var values = [Float](repeating: 0, count: scaled.rows * columns)
        scaled.withUnsafeValues { source in
            for r in 0..<scaled.rows {
                for c in 0..<scaled.columns { values[r * columns + c] = source[r * scaled.columns + c] }
                values[r * columns + scaled.columns] = Float(isolationForest[r])
                values[r * columns + scaled.columns + 1] = Float(autoencoder[r])
            }
        }
        return FeatureMatrix(columns: columns, values: values)
    }

    /// The blend's inputs for one row.
    @inline(__always)
    static func blendInputs(isolationForest: Double, autoencoder: Double, margin: Float) -> [Double] {
        [logit(isolationForest), logit(autoencoder), Double(margin)]
    }

    /// The final score of one row from its calibrated unsupervised scores and the trees' margin.
    @inline(__always)
    public func score(isolationForest: Double, autoencoder: Double, margin: Float) -> Double {
        stacking.probability(
            Self.blendInputs(isolationForest: isolationForest, autoencoder: autoencoder, margin: margin))
    }

    /// log(p / (1 − p)), with p kept within [10⁻⁶, 1 − 10⁻⁶] (calibrated scores reach 0 and 1).
    @inline(__always)
    public static func logit(_ p: Double) -> Double {
        let q = min(max(p, 1e-6), 1 - 1e-6)
        return log(q / (1 - q))
    }

    /// Throws ``DetectionError/Code/corruptModel`` when values read from a bundle are inconsistent.
    public func validate() throws(DetectionError) {
        try stacking.validate(expectedInputs: Self.inputNames)
        guard anomalyThreshold.isFinite, (0...1).contains(anomalyThreshold) else {
            throw DetectionError(
                .corruptModel, "supervised anomaly threshold must be in [0, 1], got \(anomalyThreshold)")
        }
        try risk.validate()
    }

    enum CodingKeys: String, CodingKey {
        case labels, stacking
        case gradientBoosting = "gradient_boosting"
        case boostingHistory = "boosting_history"
        case anomalyThreshold = "anomaly_threshold"
        case risk = "risk_table"
    }
}
