/// The `manifest.json` of a model bundle: what was trained, on what, how, and how well.
///
/// Encoded with explicit snake_case keys (no key strategy, so anomaly-type names inside the evaluation survive
/// unchanged). The manifest is written last, so a directory without one is an unfinished bundle.
public struct BundleManifest: Sendable, Hashable, Codable {
    /// Manifest format version this build writes.
    public static let currentFormatVersion = 3
    /// Format versions this build reads: 2 (unsupervised only) and 3 (adds the optional supervised blend and alert
    /// budget; a version-3 manifest without them means exactly what version 2 did).
    public static let readableFormatVersions = 2...3

    /// Options of one training run, as given (see ``TrainingOptions``).
    public struct Parameters: Sendable, Hashable, Codable {
        /// Isolation Forest options.
        public var isolationForest: IsolationForest.Configuration
        /// Autoencoder options.
        public var autoencoder: Autoencoder.Configuration
        /// Expected anomaly share (sets the anomaly threshold).
        public var contamination: Double
        /// Ensemble weights as given (before normalisation).
        public var weights: EnsembleCalibration.Weights
        /// Risk level percentiles.
        public var riskPercentiles: RiskTable.Percentiles
        /// Share of rows (the latest by time) held out for evaluation; 0 when none.
        public var holdout: Double
        /// Largest tolerated share of bad input rows.
        public var maxBadRows: Double
        /// The run's seed (each model's seed is derived from it unless set explicitly).
        public var seed: UInt64
        /// Share of training rows added again with every optional field blanked (``MissingFields``); `nil` in
        /// bundles made before it existed (trained without).
        public var missingFieldShare: Double?

        /// Creates a parameter record.
        public init(
            isolationForest: IsolationForest.Configuration, autoencoder: Autoencoder.Configuration,
            contamination: Double, weights: EnsembleCalibration.Weights, riskPercentiles: RiskTable.Percentiles,
            holdout: Double, maxBadRows: Double, seed: UInt64, missingFieldShare: Double? = nil
        ) {
            self.missingFieldShare = missingFieldShare
            self.isolationForest = isolationForest
            self.autoencoder = autoencoder
            self.contamination = contamination
            self.weights = weights
            self.riskPercentiles = riskPercentiles
            self.holdout = holdout
            self.maxBadRows = maxBadRows
            self.seed = seed
        }

        enum CodingKeys: String, CodingKey {
            case isolationForest = "isolation_forest"
            case autoencoder, contamination, weights
            case riskPercentiles = "risk_percentiles"
            case holdout
            case maxBadRows = "max_bad_rows"
            case seed
            case missingFieldShare = "missing_field_share"
        }
    }

    /// Where the training rows came from.
    public struct TrainingData: Sendable, Hashable, Codable {
        /// The data file's name (not its full path, which may contain user names).
        public var file: String
        /// SHA-256 of the file's bytes.
        public var sha256: String
        /// Valid rows read, bad rows skipped.
        public var rows: Int
        public var badRows: Int
        /// Rows the models were fitted on and rows held out for evaluation.
        public var trainingRows: Int
        public var holdoutRows: Int
        /// Time span of the training rows (RFC 3339), when there were any.
        public var firstTimestamp: String?
        public var lastTimestamp: String?

        /// Creates a record.
        public init(
            file: String, sha256: String, rows: Int, badRows: Int, trainingRows: Int, holdoutRows: Int,
            firstTimestamp: String?, lastTimestamp: String?
        ) {
            self.file = file
            self.sha256 = sha256
            self.rows = rows
            self.badRows = badRows
            self.trainingRows = trainingRows
            self.holdoutRows = holdoutRows
            self.firstTimestamp = firstTimestamp
            self.lastTimestamp = lastTimestamp
        }

        enum CodingKeys: String, CodingKey {
            case file, sha256, rows
            case badRows = "bad_rows"
            case trainingRows = "training_rows"
            case holdoutRows = "holdout_rows"
            case firstTimestamp = "first_timestamp"
            case lastTimestamp = "last_timestamp"
        }
    }

    /// Size and digest of one model file, checked when the bundle is loaded.
    public struct FileEntry: Sendable, Hashable, Codable {
        /// File size in bytes.
        public var bytes: Int
        /// SHA-256 of the file.
        public var sha256: String

        /// Creates an entry.
        public init(bytes: Int, sha256: String) {
            self.bytes = bytes
            self.sha256 = sha256
        }
    }

    /// Manifest format version.
    public var formatVersion: Int
    /// The bundle's version (its directory name).
    public var version: String
    /// When the bundle was created (RFC 3339, UTC).
    public var created: String
    /// Feature schema the models were trained on.
    public var featureSchema: FeatureSchema
    /// Standardisation applied before both models.
    public var scaler: StandardScaler
    /// Per-column treatment after standardisation (risk signals as tail surprise).
    public var modelInputs: ModelInputs
    /// Feature priors (cold-start statistics) used to compute the training features.
    public var featurePriors: FeaturePriors
    /// Calibration tables, ensemble weights, anomaly threshold and risk table.
    public var ensemble: EnsembleCalibration
    /// Training options.
    public var parameters: Parameters
    /// Training data provenance.
    public var trainingData: TrainingData
    /// Autoencoder loss per epoch and where training stopped.
    public var autoencoderHistory: Autoencoder.TrainingHistory
    /// Model files by name (`isolation_forest.bin`, `autoencoder.bin`).
    public var files: [String: FileEntry]
    /// Holdout evaluation by model (`isolation_forest`, `autoencoder`, `ensemble`), when a holdout was used.
    public var evaluation: [String: EvaluationResult]?
    /// The supervised blend, when trained with labels (format 3); `nil`: the final score is the ensemble.
    public var supervised: SupervisedBlend?
    /// The alert budget the thresholds were set from, when one was given (format 3).
    public var alertBudget: AlertBudget?
    /// Thinned ROC and precision–recall curves, score histogram and threshold by model, stored with the
    /// evaluation so the dashboard can draw them without the holdout rows; absent in bundles trained before it was
    /// added (readers treat it as optional).
    public var evaluationCurves: [String: EvaluationCurves]?

    /// Creates a manifest.
    public init(
        version: String, created: String, featureSchema: FeatureSchema, scaler: StandardScaler,
        modelInputs: ModelInputs, featurePriors: FeaturePriors, ensemble: EnsembleCalibration, parameters: Parameters,
        trainingData: TrainingData, autoencoderHistory: Autoencoder.TrainingHistory, files: [String: FileEntry],
        evaluation: [String: EvaluationResult]?, supervised: SupervisedBlend? = nil, alertBudget: AlertBudget? = nil,
        evaluationCurves: [String: EvaluationCurves]? = nil
    ) {
        self.supervised = supervised
        self.alertBudget = alertBudget
        self.formatVersion = Self.currentFormatVersion
        self.version = version
        self.created = created
        self.featureSchema = featureSchema
        self.scaler = scaler
        self.modelInputs = modelInputs
        self.featurePriors = featurePriors
        self.ensemble = ensemble
        self.parameters = parameters
        self.trainingData = trainingData
        self.autoencoderHistory = autoencoderHistory
        self.files = files
        self.evaluation = evaluation
        self.evaluationCurves = evaluationCurves
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case version, created
        case featureSchema = "feature_schema"
        case scaler
        case modelInputs = "model_inputs"
        case featurePriors = "feature_priors"
        case ensemble, parameters
        case trainingData = "training_data"
        case autoencoderHistory = "autoencoder_history"
        case files, evaluation, supervised
        case alertBudget = "alert_budget"
        case evaluationCurves = "evaluation_curves"
    }
}
