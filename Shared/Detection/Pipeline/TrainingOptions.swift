/// Everything `txad train` can set; the defaults are SPEC §3's.
public struct TrainingOptions: Sendable, Hashable {
    /// Isolation Forest options (its seed is replaced by ``seed``).
    public var isolationForest: IsolationForest.Configuration
    /// Autoencoder options (its seed is replaced by ``seed``).
    public var autoencoder: Autoencoder.Configuration
    /// Expected share of anomalies in the training data (default 0.05): the anomaly threshold is the
    /// (1 − contamination) quantile of the training ensemble scores.
    public var contamination: Double
    /// Ensemble weights (default 0.5/0.5).
    public var weights: EnsembleCalibration.Weights
    /// Risk level percentiles (default medium at the anomaly threshold, high 0.98, critical 0.995).
    public var riskPercentiles: RiskTable.Percentiles
    /// Share of rows, the latest by time, held out for evaluation (default 0: train on everything).
    public var holdout: Double
    /// Training fails when more than this share of input rows is invalid (default 0.01).
    public var maxBadRows: Double
    /// Seed of both models.
    public var seed: UInt64
    /// How many transactions' worth of weight the population prior carries in a user's statistics.
    public var userPriorWeight: Double
    /// Gradient-boosted trees trained when labels are given (their seed is replaced by ``seed``).
    public var gradientBoosting: GradientBoosting.Configuration
    /// Weight of unlabelled training rows as presumed negatives for the trees (default 0: labelled rows only;
    /// positive weights hurt on the data sets measured, see the README).
    public var unlabelledWeight: Double
    /// Share of the labelled training rows, the latest by time, held out to fit the blend (default 0.3).
    public var stackingFraction: Double
    /// Whether the blend also sees the unlabelled rows of its period as presumed negatives (default true; false:
    /// the blend is fitted on the labelled rows only). Measured in the README.
    public var blendUnlabelled: Bool
    /// Alert budget: when set, the anomaly threshold lets this many training-period rows a day through instead of
    /// the contamination share.
    public var alertsPerDay: Double?
    /// Share of training rows added again with every optional field blanked, so partial transactions are in the
    /// training distribution and absence alone is not a risk signal (default 0.5, measured in the README; 0: none). See ``MissingFields``.
    public var missingFieldShare: Double

    /// The defaults.
    public init(
        isolationForest: IsolationForest.Configuration = .init(), autoencoder: Autoencoder.Configuration = .init(),
        contamination: Double = 0.05, weights: EnsembleCalibration.Weights = .init(),
        riskPercentiles: RiskTable.Percentiles = .init(), holdout: Double = 0, maxBadRows: Double = 0.01,
        seed: UInt64 = 42, userPriorWeight: Double = 5, gradientBoosting: GradientBoosting.Configuration = .init(),
        unlabelledWeight: Double = 0, stackingFraction: Double = 0.3, alertsPerDay: Double? = nil,
        missingFieldShare: Double = 0.5, blendUnlabelled: Bool = true
    ) {
        self.blendUnlabelled = blendUnlabelled
        self.missingFieldShare = missingFieldShare
        self.gradientBoosting = gradientBoosting
        self.unlabelledWeight = unlabelledWeight
        self.stackingFraction = stackingFraction
        self.alertsPerDay = alertsPerDay
        self.isolationForest = isolationForest
        self.autoencoder = autoencoder
        self.contamination = contamination
        self.weights = weights
        self.riskPercentiles = riskPercentiles
        self.holdout = holdout
        self.maxBadRows = maxBadRows
        self.seed = seed
        self.userPriorWeight = userPriorWeight
    }

    /// The model configurations with the run's seed applied.
    var seededForest: IsolationForest.Configuration {
        var c = isolationForest
        c.seed = seed
        return c
    }

    var seededBoosting: GradientBoosting.Configuration {
        var c = gradientBoosting
        c.seed = seed
        return c
    }

    var seededAutoencoder: Autoencoder.Configuration {
        var c = autoencoder
        c.seed = seed
        return c
    }

    /// Throws ``DetectionError/Code/invalidArgument`` naming the first option out of range.
    public func validate() throws(DetectionError) {
        try isolationForest.validate()
        try autoencoder.validate()
        guard contamination.isFinite, contamination > 0, contamination < 0.5 else {
            throw DetectionError(.invalidArgument, "contamination must be in (0, 0.5), got \(contamination)")
        }
        _ = try weights.normalized()
        try riskPercentiles.validate()
        guard holdout.isFinite, holdout >= 0, holdout < 0.9 else {
            throw DetectionError(.invalidArgument, "holdout must be in [0, 0.9), got \(holdout)")
        }
        guard maxBadRows.isFinite, (0...1).contains(maxBadRows) else {
            throw DetectionError(.invalidArgument, "max bad rows must be a share in [0, 1], got \(maxBadRows)")
        }
        try gradientBoosting.validate()
        guard unlabelledWeight.isFinite, (0...1).contains(unlabelledWeight) else {
            throw DetectionError(.invalidArgument, "unlabelled weight must be in [0, 1], got \(unlabelledWeight)")
        }
        guard stackingFraction.isFinite, stackingFraction > 0, stackingFraction < 0.9 else {
            throw DetectionError(.invalidArgument, "stacking fraction must be in (0, 0.9), got \(stackingFraction)")
        }
        if let alertsPerDay, !(alertsPerDay.isFinite && alertsPerDay > 0) {
            throw DetectionError(.invalidArgument, "alerts per day must be a positive number, got \(alertsPerDay)")
        }
        guard missingFieldShare.isFinite, (0...1).contains(missingFieldShare) else {
            throw DetectionError(.invalidArgument, "missing field share must be in [0, 1], got \(missingFieldShare)")
        }
        guard userPriorWeight.isFinite, userPriorWeight > 0 else {
            throw DetectionError(.invalidArgument, "user prior weight must be positive, got \(userPriorWeight)")
        }
    }

    /// The manifest's record of these options.
    var manifestParameters: BundleManifest.Parameters {
        BundleManifest.Parameters(
            isolationForest: seededForest, autoencoder: seededAutoencoder, contamination: contamination,
            weights: weights, riskPercentiles: riskPercentiles, holdout: holdout, maxBadRows: maxBadRows, seed: seed,
            missingFieldShare: missingFieldShare)
    }
}
