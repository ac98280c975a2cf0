import Domain
import Foundation

/// Trains a model bundle from labelled or unlabelled transactions: priors → feature replay → scaler → Isolation
/// Forest and autoencoder → calibration, threshold and risk table → optional holdout evaluation.
///
/// With a holdout, the latest share of rows by time is held out: the whole data set is replayed in time order (so
/// holdout features continue from the users' training-period history) while priors, scaler and models are fitted
/// on the earlier rows only. Training never looks at labels.
public enum TrainingPipeline {
    /// A step of training, for progress reports.
    public enum Stage: String, Sendable {
        case reading = "reading"
        case features = "features"
        case isolationForest = "isolation forest"
        case autoencoder = "autoencoder"
        case calibration = "calibration"
        case supervised = "supervised"
        case evaluation = "evaluation"
        case writing = "writing"
    }

    /// Progress callback: (stage, units done, units total).
    public typealias Progress = (Stage, Int, Int) -> Void

    /// What a training run produced.
    public struct Outcome: Sendable {
        /// The trained bundle (not yet written unless returned by ``run(dataFile:modelsDirectory:version:options:progress:)``).
        public var bundle: ModelBundle
        /// Holdout evaluation per model (`isolation_forest`, `autoencoder`, `ensemble`), when a holdout was used
        /// and it holds both classes' labels.
        public var evaluation: [ModelEvaluation]?
        /// Where the bundle was written, when it was.
        public var directory: String?
        /// Labelled transaction ids found in no row of the data (reported, never silently dropped), and labels
        /// of rows in the holdout (not used for training).
        public var unknownLabelIDs: [String] = []
        public var holdoutLabels = 0
    }

    /// Trains on in-memory transactions (any order) and returns the bundle without writing it.
    ///
    /// `labels` (aligned, may be all `nil`) are used only to evaluate the holdout. `data` describes the source
    /// for the manifest (its row counts are filled in here). With `reviewLabels` (analysts' decisions by
    /// transaction id), gradient-boosted trees and a blend are fitted on the labelled training rows
    /// (``SupervisedBlend``) and the bundle's final score is the blend; without, it is the unsupervised ensemble.
    public static func fit(
        transactions: [Transaction], labels: [AnomalyLabel?], options: TrainingOptions, version: String,
        data: BundleManifest.TrainingData, reviewLabels: ReviewLabels? = nil, progress: Progress? = nil
    ) throws(DetectionError) -> Outcome {
        try options.validate()
        try ModelBundle.validate(version: version)
        let n = transactions.count
        guard labels.count == n else { throw DetectionError(.invalidArgument, "labels and transactions differ in length") }
        let holdoutCount = options.holdout > 0 ? Int((Double(n) * options.holdout).rounded()) : 0
        let trainingCount = n - holdoutCount
        guard trainingCount >= 2 else {
            throw DetectionError(.invalidArgument, "training needs at least 2 rows before the holdout, got \(trainingCount)")
        }
        guard options.holdout == 0 || holdoutCount >= 1 else {
            throw DetectionError(.invalidArgument, "holdout \(options.holdout) of \(n) rows leaves no holdout row")
        }

        // Time order decides the split; equal timestamps keep file order (stable sort).
        let order = timeOrder(transactions)
        let trainingRows = Array(order[0..<trainingCount])
        let holdoutRows = Array(order[trainingCount...])

        let priors = try FeaturePriors.fit(
            trainingRows.lazy.map { transactions[$0] }, userPriorWeight: options.userPriorWeight)
        progress?(.features, 0, n)
        let replay = FeatureReplay(priors: priors).run(transactions) { done in progress?(.features, done, n) }
        // The scaler and the unsupervised models are fitted on the training rows followed by partial copies of
        // some of them; calibration, thresholds, the alert budget and the supervised part use the training rows only.
        var fittingMatrix = replay.matrix.selecting(rows: trainingRows)
        let copies = MissingFields.partialCopies(
            of: transactions, rows: trainingRows, share: options.missingFieldShare, seed: options.seed, priors: priors)
        for r in 0..<copies.rows { fittingMatrix.append(row: copies[row: r]) }
        let scaler = try StandardScaler.fit(fittingMatrix)
        try scaler.transform(&fittingMatrix)
        let modelInputs = try ModelInputs.fit(fittingMatrix, roles: FeatureSchema.current.inputRoles)
        try modelInputs.transform(&fittingMatrix)

        progress?(.isolationForest, 0, 1)
        let forest = try IsolationForest(fitting: fittingMatrix, configuration: options.seededForest)
        let trainingMatrix = fittingMatrix.selecting(rows: 0..<trainingCount)
        let forestScores = forest.scores(trainingMatrix)
        progress?(.isolationForest, 1, 1)

        let epochs = options.autoencoder.epochs
        progress?(.autoencoder, 0, epochs)
        let (network, history) = try Autoencoder.train(fittingMatrix, configuration: options.seededAutoencoder) {
            epoch, _, _, _ in progress?(.autoencoder, epoch, epochs)
        }
        progress?(.autoencoder, epochs, epochs)
        progress?(.calibration, 0, 1)
        let networkScores = network.scores(trainingMatrix)
        var contamination = options.contamination
        var budget: (share: Double, days: Double, rowsPerDay: Double)?
        if let perDay = options.alertsPerDay, let first = trainingRows.first, let last = trainingRows.last {
            budget = try AlertBudget.share(
                alertsPerDay: perDay, rows: trainingCount, firstMillis: transactions[first].timestampMillis,
                lastMillis: transactions[last].timestampMillis)
            contamination = budget?.share ?? contamination
        }
        let calibration = try EnsembleCalibration(
            isolationForestScores: forestScores, autoencoderScores: networkScores, weights: options.weights,
            contamination: contamination, riskPercentiles: options.riskPercentiles)
        var trainingScores = zip(forestScores, networkScores).map {
            calibration.calibrate(isolationForest: $0, autoencoder: $1).ensemble
        }
        progress?(.calibration, 1, 1)

        var supervised: SupervisedBlend?
        var trees: GradientBoosting?
        var unknownLabelIDs: [String] = []
        var holdoutLabelCount = 0
        if let reviewLabels {
            progress?(.supervised, 0, 1)
            let (aligned, unknown) = reviewLabels.join(transactions)
            unknownLabelIDs = unknown
            holdoutLabelCount = holdoutRows.filter { aligned[$0] != nil }.count
            let fitted = try fitSupervised(
                matrix: trainingMatrix,
                isolationForest: forestScores.map { calibration.isolationForest.probability(Double($0)) },
                autoencoder: networkScores.map { calibration.autoencoder.probability(Double($0)) },
                labels: trainingRows.map { aligned[$0] }, given: reviewLabels.count, options: options)
            let cdf = try EmpiricalCDF(fitting: fitted.scores.map(Float.init))
            let threshold = cdf.quantile(1 - contamination)
            supervised = SupervisedBlend(
                labels: fitted.counts, stacking: fitted.stacking, gradientBoosting: fitted.trees.configuration,
                boostingHistory: fitted.trees.history, anomalyThreshold: threshold,
                risk: RiskTable(percentiles: options.riskPercentiles, anomalyThreshold: threshold, trainingScores: cdf))
            trees = fitted.trees
            trainingScores = fitted.scores
            progress?(.supervised, 1, 1)
        }
        let alertBudget = budget.map { b in
            AlertBudget.record(
                alertsPerDay: options.alertsPerDay ?? 0, days: b.days, rowsPerDay: b.rowsPerDay, share: b.share,
                risk: supervised?.risk ?? calibration.risk, scores: trainingScores)
        }

        var info = data
        info.rows = n
        info.trainingRows = trainingCount
        info.holdoutRows = holdoutCount
        info.firstTimestamp = trainingRows.first.map { RFC3339.format(millis: transactions[$0].timestampMillis) }
        info.lastTimestamp = trainingRows.last.map { RFC3339.format(millis: transactions[$0].timestampMillis) }
        var parameters = options.manifestParameters
        parameters.isolationForest = forest.configuration
        let manifest = BundleManifest(
            version: version, created: RFC3339.format(millis: Int64(Date().timeIntervalSince1970 * 1000)),
            featureSchema: .current, scaler: scaler, modelInputs: modelInputs, featurePriors: priors,
            ensemble: calibration, parameters: parameters, trainingData: info, autoencoderHistory: history, files: [:],
            evaluation: nil, supervised: supervised, alertBudget: alertBudget)
        var bundle = ModelBundle(
            manifest: manifest, isolationForest: forest, autoencoder: network, gradientBoosting: trees)

        var evaluation: [ModelEvaluation]?
        if !holdoutRows.isEmpty {
            progress?(.evaluation, 0, 1)
            let holdoutLabels = holdoutRows.map { labels[$0] }
            if holdoutLabels.allSatisfy({ $0 != nil }) {
                let scorer = AnomalyScorer(bundle: bundle)
                let batch = try scorer.scores(unscaled: replay.matrix.selecting(rows: holdoutRows))
                evaluation = Evaluator.evaluate(batch, labels: holdoutLabels.compactMap { $0 }, scorer: scorer)
                var recorded = manifest
                recorded.evaluation = evaluation.map(Evaluator.results)
                recorded.evaluationCurves = evaluation.map(EvaluationCurves.byModel)
                bundle = ModelBundle(
                    manifest: recorded, isolationForest: forest, autoencoder: network, gradientBoosting: trees)
            }
            progress?(.evaluation, 1, 1)
        }
        return Outcome(
            bundle: bundle, evaluation: evaluation, directory: nil, unknownLabelIDs: unknownLabelIDs,
            holdoutLabels: holdoutLabelCount)
    }

    /// Reads `dataFile`, trains, and writes the bundle to `modelsDirectory/<version>` together with its
    /// `evaluation.json` and HTML/SVG report (when evaluated); the new version becomes active when `activate`.
    public static func run(
        dataFile: String, modelsDirectory: String, version: String?, options: TrainingOptions, activate: Bool = true,
        reviewLabels: ReviewLabels? = nil, extraTransactions: [Transaction] = [], progress: Progress? = nil
    ) throws(DetectionError) -> Outcome {
        try options.validate()
        let version = version ?? defaultVersion()
        try ModelBundle.validate(version: version)
        let registry = ModelRegistry(root: modelsDirectory)
        let directory = registry.directory(of: version)
        guard !FileManager.default.fileExists(atPath: directory) else {
            throw DetectionError(.invalidArgument, "\(directory) already exists; pass another --version")
        }
        let dataset = try CSVTransactionReader.readAll(
            path: dataFile, policy: BadRowPolicy(maximumBadRowShare: options.maxBadRows)
        ) { read, total in progress?(.reading, read, total ?? read) }
        let digest = try SHA256.hex(ofFile: dataFile)
        let info = BundleManifest.TrainingData(
            file: (dataFile as NSString).lastPathComponent, sha256: digest, rows: dataset.transactions.count,
            badRows: dataset.badRowCount, trainingRows: 0, holdoutRows: 0, firstTimestamp: nil, lastTimestamp: nil)
        // Transactions known only from production (feedback) join the data; their ids must not repeat the file's.
        var transactions = dataset.transactions
        var labels = dataset.labels
        if !extraTransactions.isEmpty {
            let known = Set(transactions.map(\.transactionID))
            let added = extraTransactions.filter { !known.contains($0.transactionID) }
            transactions += added
            labels += [AnomalyLabel?](repeating: nil, count: added.count)
        }
        var outcome = try fit(
            transactions: transactions, labels: labels, options: options, version: version, data: info,
            reviewLabels: reviewLabels, progress: progress)
        progress?(.writing, 0, 1)
        var extra: [String: [UInt8]] = [:]
        if let evaluation = outcome.evaluation {
            extra = try Evaluator.files(evaluation, title: "txad model \(version) — holdout evaluation")
        }
        try FileManager.default.createDirectoryIfNeeded(modelsDirectory)
        _ = try outcome.bundle.write(to: directory, extraFiles: extra)
        if activate { try registry.promote(version) }
        outcome.directory = directory
        progress?(.writing, 1, 1)
        return outcome
    }

    /// A sortable version name from the current UTC time, e.g. `20250101T120000Z`.
    public static func defaultVersion() -> String {
        let text = RFC3339.format(millis: Int64(Date().timeIntervalSince1970 * 1000))
        // "2025-01-01T12:00:00.123Z" → "20250101T120000Z"
        let digits = text.prefix(19).filter { $0 != "-" && $0 != ":" }
        return digits + "Z"
    }

    /// Row indices in timestamp order, equal timestamps in input order.
    static func timeOrder(_ transactions: [Transaction]) -> [Int] {
        transactions.indices.sorted { a, b in
            let ta = transactions[a].timestampMillis
            let tb = transactions[b].timestampMillis
            return ta != tb ? ta < tb : a < b
        }
    }
}

extension FileManager {
    /// Creates `path` (and parents) unless it exists; errors name the path.
    func createDirectoryIfNeeded(_ path: String) throws(DetectionError) {
        do {
            try createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw DetectionError(.fileAccess, "cannot create directory \(path)", underlying: error)
        }
    }
}
