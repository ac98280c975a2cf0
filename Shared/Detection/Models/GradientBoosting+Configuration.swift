extension GradientBoosting {
    /// Training options; the defaults suit a few hundred to a few million labelled rows.
    public struct Configuration: Sendable, Hashable, Codable {
        /// Maximum boosting rounds (trees) (default 300); early stopping usually ends sooner.
        public var trees: Int
        /// Shrinkage applied to every tree's values (default 0.1).
        public var learningRate: Double
        /// Depth of every tree, 1…``GradientBoosting/depthCap`` (default 5).
        public var maxDepth: Int
        /// L2 penalty λ on leaf values: a leaf's value is −G / (H + λ) (default 1).
        public var l2: Double
        /// Smallest hessian sum (weighted p(1 − p)) a child may have (default 1).
        public var minChildWeight: Double
        /// Bins per feature, 2…255 (default 255).
        public var bins: Int
        /// Share of features each tree may split on, drawn per tree from the seed (default 1: all).
        public var featureFraction: Double
        /// Share of rows each tree is fitted on, drawn per tree from the seed (default 1: all).
        public var rowFraction: Double
        /// Stop when the validation log-loss has not improved for this many rounds (default 20); the best
        /// round's trees are kept.
        public var earlyStoppingRounds: Int
        /// Share of the rows, the last ones in the given order (time order), used for early stopping (default
        /// 0.2; 0 trains every round on all rows).
        public var validationFraction: Double
        /// Seed of the feature and row sampling; the same data, options and seed give the same model.
        public var seed: UInt64

        /// The defaults.
        public init(
            trees: Int = 300, learningRate: Double = 0.1, maxDepth: Int = 5, l2: Double = 1, minChildWeight: Double = 1,
            bins: Int = 255, featureFraction: Double = 1, rowFraction: Double = 1, earlyStoppingRounds: Int = 20,
            validationFraction: Double = 0.2, seed: UInt64 = 42
        ) {
            self.trees = trees
            self.learningRate = learningRate
            self.maxDepth = maxDepth
            self.l2 = l2
            self.minChildWeight = minChildWeight
            self.bins = bins
            self.featureFraction = featureFraction
            self.rowFraction = rowFraction
            self.earlyStoppingRounds = earlyStoppingRounds
            self.validationFraction = validationFraction
            self.seed = seed
        }

        enum CodingKeys: String, CodingKey {
            case trees
            case learningRate = "learning_rate"
            case maxDepth = "max_depth"
            case l2
            case minChildWeight = "min_child_weight"
            case bins
            case featureFraction = "feature_fraction"
            case rowFraction = "row_fraction"
            case earlyStoppingRounds = "early_stopping_rounds"
            case validationFraction = "validation_fraction"
            case seed
        }

        /// Throws ``DetectionError/Code/invalidArgument`` naming the first option out of range.
        public func validate() throws(DetectionError) {
            func check(_ ok: Bool, _ message: String) throws(DetectionError) {
                guard ok else { throw DetectionError(.invalidArgument, message) }
            }
            try check((1...10_000).contains(trees), "gradient boosting trees must be in 1...10000, got \(trees)")
            try check(
                learningRate.isFinite && learningRate > 0 && learningRate <= 1,
                "gradient boosting learning rate must be in (0, 1], got \(learningRate)")
            try check(
                (1...GradientBoosting.depthCap).contains(maxDepth),
                "gradient boosting max depth must be in 1...\(GradientBoosting.depthCap), got \(maxDepth)")
            try check(l2.isFinite && l2 >= 0, "gradient boosting L2 must be ≥ 0, got \(l2)")
            try check(
                minChildWeight.isFinite && minChildWeight >= 0,
                "gradient boosting min child weight must be ≥ 0, got \(minChildWeight)")
            try check(
                (2...FeatureBins.maximumBins).contains(bins),
                "gradient boosting bins must be in 2...\(FeatureBins.maximumBins), got \(bins)")
            try check(
                featureFraction > 0 && featureFraction <= 1,
                "gradient boosting feature fraction must be in (0, 1], got \(featureFraction)")
            try check(
                rowFraction > 0 && rowFraction <= 1,
                "gradient boosting row fraction must be in (0, 1], got \(rowFraction)")
            try check(
                earlyStoppingRounds >= 1,
                "gradient boosting early stopping rounds must be ≥ 1, got \(earlyStoppingRounds)")
            try check(
                validationFraction >= 0 && validationFraction < 0.9,
                "gradient boosting validation fraction must be in [0, 0.9), got \(validationFraction)")
        }
    }

    /// How training went.
    public struct TrainingHistory: Sendable, Hashable, Codable {
        /// Weighted validation log-loss after each round (empty without a validation split).
        public var validationLoss: [Double]
        /// Rounds kept (the best validation round, or every round without validation).
        public var bestRound: Int
        /// Whether early stopping ended training before ``Configuration/trees`` rounds.
        public var stoppedEarly: Bool

        /// Creates a record.
        public init(validationLoss: [Double], bestRound: Int, stoppedEarly: Bool) {
            self.validationLoss = validationLoss
            self.bestRound = bestRound
            self.stoppedEarly = stoppedEarly
        }

        enum CodingKeys: String, CodingKey {
            case validationLoss = "validation_loss"
            case bestRound = "best_round"
            case stoppedEarly = "stopped_early"
        }
    }
}
