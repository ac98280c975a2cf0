import Domain

/// Scores feature vectors with a loaded model bundle: the entry point of the inference service and of offline
/// scoring and evaluation.
///
/// Input features are unscaled (as ``FeatureExtractor`` writes them); the scorer applies the bundle's scaler,
/// runs both models, calibrates, combines, decides and explains. Every row is scored independently of the rows it
/// arrives with, so a transaction gets bit-identical scores alone or in a batch. Batches use all cores.
/// A value type holding immutable models: share one instance across tasks freely.
public struct AnomalyScorer: Sendable {
    /// The bundle being served.
    public let bundle: ModelBundle
    /// Builds each score's reasons from the per-feature contributions.
    public var reasonBuilder: ReasonBuilder

    /// A scorer over a loaded bundle, with at most `maximumReasons` reasons per score.
    public init(bundle: ModelBundle, maximumReasons: Int = 3) {
        self.bundle = bundle
        self.reasonBuilder = ReasonBuilder(schema: bundle.manifest.featureSchema, maximumReasons: maximumReasons)
    }

    /// Loads the bundle at `path`: a bundle directory, or a model directory whose `ACTIVE` version is used.
    public init(path: String, maximumReasons: Int = 3) throws(DetectionError) {
        let directory = try ModelRegistry.resolveBundleDirectory(path)
        self.init(bundle: try ModelBundle.load(from: directory), maximumReasons: maximumReasons)
    }

    /// The bundle's version.
    public var version: String { bundle.version }
    /// The feature schema the bundle expects.
    public var schema: FeatureSchema { bundle.manifest.featureSchema }
    /// The fitted ensemble (weights, calibration, thresholds, risk table).
    public var ensemble: EnsembleCalibration { bundle.manifest.ensemble }
    /// The supervised blend, when the bundle was trained with labels.
    public var supervised: SupervisedBlend? { bundle.manifest.supervised }
    /// Final score at and above which a row is an anomaly (the blend's when supervised, else the ensemble's).
    public var anomalyThreshold: Double { supervised?.anomalyThreshold ?? ensemble.anomalyThreshold }
    /// Risk levels by final score.
    public var risk: RiskTable { supervised?.risk ?? ensemble.risk }

    /// Per-row outputs of both models for a matrix, without reasons (evaluation and bulk scoring).
    public struct BatchScores: Sendable {
        /// Raw Isolation Forest scores and autoencoder reconstruction errors.
        public var isolationForestRaw: [Float]
        public var autoencoderRaw: [Float]
        /// Calibrated scores in [0, 1].
        public var isolationForest: [Double]
        public var autoencoder: [Double]
        /// The bundle's final score: the blend when supervised, else the weighted unsupervised ensemble.
        public var ensemble: [Double]
        /// Per-feature squared reconstruction errors (`rows × features`), when requested.
        public var featureErrors: FeatureMatrix?
        /// The weighted ensemble of the calibrated unsupervised scores (equal to ``ensemble`` without labels).
        public var unsupervised: [Double]
        /// The supervised trees' probability, for bundles trained with labels.
        public var supervised: [Double]?

        /// The given rows only, in the given order.
        public func selecting(rows indices: [Int]) -> BatchScores {
            BatchScores(
                isolationForestRaw: indices.map { isolationForestRaw[$0] },
                autoencoderRaw: indices.map { autoencoderRaw[$0] },
                isolationForest: indices.map { isolationForest[$0] }, autoencoder: indices.map { autoencoder[$0] },
                ensemble: indices.map { ensemble[$0] }, featureErrors: featureErrors?.selecting(rows: indices),
                unsupervised: indices.map { unsupervised[$0] }, supervised: supervised.map { s in indices.map { s[$0] } })
        }
    }

    /// Standardises a copy of `matrix`; throws ``DetectionError/Code/schemaMismatch`` for a wrong column count and
    /// ``DetectionError/Code/invalidArgument`` naming the first non-finite value.
    public func scaled(_ matrix: FeatureMatrix) throws(DetectionError) -> FeatureMatrix {
        try schema.validate(columns: matrix.columns, version: schema.version)
        try matrix.requireFinite("feature", names: schema.names)
        var copy = matrix
        try bundle.manifest.scaler.transform(&copy)
        try bundle.manifest.modelInputs.transform(&copy)
        return copy
    }

    /// Scores every row of an unscaled feature matrix (no reasons); `featureErrors` also returns the autoencoder's
    /// per-feature errors, which ``contributions(scaledRow:featureErrors:)`` turns into reason strengths.
    public func scores(unscaled matrix: FeatureMatrix, featureErrors: Bool = false) throws(DetectionError)
        -> BatchScores
    {
        try scores(scaled: scaled(matrix), featureErrors: featureErrors)
    }

    /// ``scores(unscaled:featureErrors:)`` for an already standardised matrix.
    public func scores(scaled matrix: FeatureMatrix, featureErrors: Bool = false) -> BatchScores {
        let forest = bundle.isolationForest.scores(matrix)
        let autoencoderRaw: [Float]
        var errors: FeatureMatrix?
        if featureErrors {
            let result = bundle.autoencoder.scoresWithFeatureErrors(matrix)
            autoencoderRaw = result.scores
            errors = result.featureErrors
        } else {
            autoencoderRaw = bundle.autoencoder.scores(matrix)
        }
        let calibration = ensemble
        var isolationForest = [Double](repeating: 0, count: matrix.rows)
        var autoencoder = [Double](repeating: 0, count: matrix.rows)
        var combined = [Double](repeating: 0, count: matrix.rows)
        for i in 0..<matrix.rows {
            let c = calibration.calibrate(isolationForest: forest[i], autoencoder: autoencoderRaw[i])
            isolationForest[i] = c.isolationForest
            autoencoder[i] = c.autoencoder
            combined[i] = c.ensemble
        }
        var final = combined
        var supervisedScores: [Double]?
        if let blend = supervised, let trees = bundle.gradientBoosting {
            let margins = trees.margins(
                SupervisedBlend.inputs(scaled: matrix, isolationForest: isolationForest, autoencoder: autoencoder))
            supervisedScores = margins.map { Double(GradientBoosting.sigmoid($0)) }
            for i in 0..<matrix.rows {
                final[i] = blend.score(
                    isolationForest: isolationForest[i], autoencoder: autoencoder[i], margin: margins[i])
            }
        }
        return BatchScores(
            isolationForestRaw: forest, autoencoderRaw: autoencoderRaw, isolationForest: isolationForest,
            autoencoder: autoencoder, ensemble: final, featureErrors: errors, unsupervised: combined,
            supervised: supervisedScores)
    }

    /// How strongly each feature drove one row's score: the autoencoder's share of squared error per feature and
    /// the forest's isolation credit per feature, combined with the ensemble weights. Non-negative, sums to ≤ 1,
    /// aligned with the schema's columns.
    public func contributions(scaledRow row: UnsafeBufferPointer<Float>, featureErrors: UnsafeBufferPointer<Float>)
        -> [Float]
    {
        bundle.isolationForest.attribution(row).withUnsafeBufferPointer {
            combine(attribution: $0, featureErrors: featureErrors)
        }
    }

    /// Weighted sum of the forest's attribution (sums to 1) and the autoencoder's error shares, with the ensemble
    /// weights unless given.
    private func combine(
        attribution: UnsafeBufferPointer<Float>, featureErrors: UnsafeBufferPointer<Float>, weights: (Float, Float)? = nil
    ) -> [Float] {
        let (forestWeight, autoencoderWeight) =
            weights ?? (Float(ensemble.weights.isolationForest), Float(ensemble.weights.autoencoder))
        var out = attribution.map { $0 * forestWeight }
        var total: Float = 0
        for e in featureErrors { total += e }
        if total > 0 {
            let scale = autoencoderWeight / total
            for i in out.indices { out[i] += featureErrors[i] * scale }
        }
        return out
    }

    /// Reason strengths of a supervised score: the trees' positive contributions, normalised; the credit the
    /// trees gave the two unsupervised scores is passed on to the features through those models' attributions.
    private func supervisedStrengths(
        _ contributions: [Float], attribution: UnsafeBufferPointer<Float>, featureErrors: UnsafeBufferPointer<Float>
    ) -> [Float] {
        let columns = attribution.count
        var total: Float = 0
        for c in contributions where c > 0 { total += c }
        guard total > 0 else { return combine(attribution: attribution, featureErrors: featureErrors) }
        let forestShare = max(0, contributions[columns]) / total
        let autoencoderShare = max(0, contributions[columns + 1]) / total
        var out = combine(
            attribution: attribution, featureErrors: featureErrors, weights: (forestShare, autoencoderShare))
        for i in 0..<columns { out[i] += max(0, contributions[i]) / total }
        return out
    }

    /// Throws unless `vector` matches the schema and holds only finite values; the error names the transaction.
    public func validate(_ vector: FeatureVector) throws(DetectionError) {
        do {
            try schema.validate(columns: vector.values.count, version: vector.schemaVersion)
        } catch {
            throw DetectionError(error.code, "transaction \(vector.transactionID): \(error.message)")
        }
        if let bad = vector.values.firstIndex(where: { !$0.isFinite }) {
            throw DetectionError(
                .invalidArgument,
                "transaction \(vector.transactionID): feature '\(schema.names[bad])' is not a finite number")
        }
        // A sender on another build, not bad input: the same answer as a schema version mismatch.
        guard vector.rawValues.count == RawFeatures.names.count else {
            throw DetectionError(
                .schemaMismatch,
                "transaction \(vector.transactionID): \(vector.rawValues.count) raw values, expected "
                    + "\(RawFeatures.names.count) (\(RawFeatures.names.first ?? "")…)")
        }
    }

    /// Scores feature vectors (1 or many) with reasons; throws for the first vector that fails ``validate(_:)``.
    public func score(_ vectors: [FeatureVector]) throws(DetectionError) -> [Score] {
        for vector in vectors { try validate(vector) }
        let matrix = try scaled(Self.unscaledMatrix(vectors, columns: schema.count))
        return explain(scaled: matrix) { i in (vectors[i].transactionID, RawFeatures(values: vectors[i].rawValues) ?? RawFeatures()) }
    }

    /// The vectors' unscaled values, one row each, as the models' input matrix (vectors already validated).
    public static func unscaledMatrix(_ vectors: some Sequence<FeatureVector>, columns: Int) -> FeatureMatrix {
        var values = [Float]()
        values.reserveCapacity(vectors.underestimatedCount * columns)
        for vector in vectors {
            for v in vector.values { values.append(Float(v)) }
        }
        return FeatureMatrix(columns: columns, values: values)
    }

    /// Scores every row of a scaled matrix with reasons, on all cores; `row(i)` supplies row i's transaction ID
    /// and raw values.
    ///
    /// Both models run in batch: the forest's scores and attributions come from the same walks (bit-identical to
    /// ``scores(scaled:featureErrors:)`` and to one row scored alone).
    public func explain(scaled matrix: FeatureMatrix, row: (Int) -> (transactionID: String, raw: RawFeatures))
        -> [Score]
    {
        let n = matrix.rows
        let columns = matrix.columns
        let (autoencoderRaw, errors) = bundle.autoencoder.scoresWithFeatureErrors(matrix)
        let (forestRaw, attributions) = bundle.isolationForest.scoresAndAttributions(matrix)
        let calibration = ensemble
        let modelVersion = version
        let blend = supervised.flatMap { b in bundle.gradientBoosting.map { (b, $0) } }
        let threshold = anomalyThreshold
        let riskTable = risk
        return [Score](unsafeUninitializedCapacity: n) { buffer, initialized in
            guard let output = buffer.baseAddress else { return }
            attributions.withUnsafeValues { attributionValues in
                errors.withUnsafeValues { errorValues in
                    matrix.withUnsafeValues { rowValues in
                        ParallelRows.forEachChunk(rows: n, minimumChunk: 1024) { range in
                            var input = [Float](repeating: 0, count: columns + 2)
                            for i in range {
                                let rowErrors = UnsafeBufferPointer(
                                    rebasing: errorValues[(i * columns)..<((i + 1) * columns)])
                                let attribution = UnsafeBufferPointer(
                                    rebasing: attributionValues[(i * columns)..<((i + 1) * columns)])
                                let c = calibration.calibrate(isolationForest: forestRaw[i], autoencoder: autoencoderRaw[i])
                                var final = c.ensemble
                                var supervisedScore: Double?
                                let strengths: [Float]
                                if let (blend, trees) = blend {
                                    for k in 0..<columns { input[k] = rowValues[i * columns + k] }
                                    input[columns] = Float(c.isolationForest)
                                    input[columns + 1] = Float(c.autoencoder)
                                    let (margin, contributions) = input.withUnsafeBufferPointer {
                                        trees.marginAndContributions($0)
                                    }
                                    supervisedScore = Double(GradientBoosting.sigmoid(margin))
                                    final = blend.score(
                                        isolationForest: c.isolationForest, autoencoder: c.autoencoder, margin: margin)
                                    strengths = supervisedStrengths(
                                        contributions, attribution: attribution, featureErrors: rowErrors)
                                } else {
                                    strengths = combine(attribution: attribution, featureErrors: rowErrors)
                                }
                                let (id, raw) = row(i)
                                (output + i).initialize(
                                    to: Score(
                                        transactionID: id, isolationForest: c.isolationForest,
                                        autoencoder: c.autoencoder, ensemble: final, isAnomaly: final >= threshold,
                                        riskLevel: riskTable.level(final), reasons: reasons(strengths, raw),
                                        modelVersion: modelVersion, supervised: supervisedScore))
                            }
                        }
                    }
                }
            }
            initialized = n
        }
    }

    /// Reasons for one row from its per-feature contribution strengths and raw values.
    func reasons(_ strengths: [Float], _ raw: RawFeatures) -> [Reason] {
        reasonBuilder.reasons(raw: raw, contributions: strengths.map(Double.init))
    }
}
