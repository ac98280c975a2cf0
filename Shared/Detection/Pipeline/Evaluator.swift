import Domain
import Foundation

/// Evaluates a bundle on labelled data: metrics per model, JSON, SVG curves and the HTML report.
///
/// Features of the evaluation file are computed by replaying its own history in time order, starting from empty
/// user state (or from the state at the end of an optional history file). The evaluation data should therefore
/// contain user history; users first seen in it start cold, their statistics warmed up from the bundle's priors.
public enum Evaluator {
    /// Model names as used in JSON and reports.
    public static let isolationForestName = "isolation_forest"
    public static let autoencoderName = "autoencoder"
    public static let ensembleName = "ensemble"
    /// Extra rows of bundles trained with labels: the trees alone and the unsupervised ensemble alone (then
    /// `ensemble` is the learned blend).
    public static let gradientBoostingName = "gradient_boosting"
    public static let unsupervisedName = "unsupervised_ensemble"

    /// What an evaluation of a file produced.
    public struct Outcome: Sendable {
        /// Per-model evaluation (Isolation Forest, autoencoder, ensemble).
        public var models: [ModelEvaluation]
        /// Rows evaluated, refused rows, and history rows replayed first.
        public var rows: Int
        public var badRows: Int
        public var historyRows: Int
        /// Rows whose optional fields were blanked (``Blanking``; 0 without).
        public var blankedRows: Int = 0
    }

    /// Partial transactions on purpose: every optional field blanked in a seeded share of the evaluated rows
    /// (the history file is left complete), the measurement of how partial traffic changes alerts and ranking.
    public struct Blanking: Sendable, Hashable {
        /// Share of rows blanked, in [0, 1].
        public var share: Double
        /// Seed of the choice of rows.
        public var seed: UInt64

        /// Creates a setting.
        public init(share: Double, seed: UInt64) {
            self.share = share
            self.seed = seed
        }
    }

    /// Metrics, curves and histograms of each model. Per-model decisions use calibrated score ≥ 1 − contamination
    /// (the share each model flags on training data); the ensemble (the final score) uses the bundle's anomaly
    /// threshold. Supervised bundles add the trees (threshold 0.5) and the unsupervised ensemble.
    public static func evaluate(_ batch: AnomalyScorer.BatchScores, labels: [AnomalyLabel], scorer: AnomalyScorer)
        -> [ModelEvaluation]
    {
        let ensemble = scorer.ensemble
        let truth = labels.map(\.isAnomaly)
        let types = labels.map { $0.isAnomaly ? $0.anomalyType : nil }
        let modelThreshold = 1 - ensemble.contamination
        return [
            ModelEvaluation.compute(
                name: isolationForestName, labels: truth, scores: batch.isolationForest, threshold: modelThreshold,
                anomalyTypes: types, histogramRange: 0...1),
            ModelEvaluation.compute(
                name: autoencoderName, labels: truth, scores: batch.autoencoder, threshold: modelThreshold,
                anomalyTypes: types, histogramRange: 0...1),
            ModelEvaluation.compute(
                name: ensembleName, labels: truth, scores: batch.ensemble, threshold: scorer.anomalyThreshold,
                anomalyTypes: types, histogramRange: 0...1),
        ] + supervisedRows(batch, truth: truth, types: types, ensemble: ensemble)
    }

    private static func supervisedRows(
        _ batch: AnomalyScorer.BatchScores, truth: [Bool], types: [String?], ensemble: EnsembleCalibration
    ) -> [ModelEvaluation] {
        guard let supervised = batch.supervised else { return [] }
        return [
            ModelEvaluation.compute(
                name: gradientBoostingName, labels: truth, scores: supervised, threshold: 0.5, anomalyTypes: types,
                histogramRange: 0...1),
            ModelEvaluation.compute(
                name: unsupervisedName, labels: truth, scores: batch.unsupervised,
                threshold: ensemble.anomalyThreshold, anomalyTypes: types, histogramRange: 0...1),
        ]
    }

    /// The results keyed by model name, as `evaluation.json` and the manifest store them.
    public static func results(_ models: [ModelEvaluation]) -> [String: EvaluationResult] {
        Dictionary(models.map { ($0.name, $0.result) }, uniquingKeysWith: { a, _ in a })
    }

    /// `evaluation.json` plus `report/index.html`, `report/roc.svg`, `report/pr.svg` and one
    /// `report/histogram_<model>.svg` per model, as relative path → bytes.
    public static func files(_ models: [ModelEvaluation], title: String, notes: [String] = []) throws(DetectionError)
        -> [String: [UInt8]]
    {
        var files: [String: [UInt8]] = [:]
        files["evaluation.json"] = [UInt8](try EvaluationResult.json(results(models)))
        let roc = models.map { EvaluationCharts.Series(name: $0.name, points: $0.rocCurve, area: $0.result.rocAUC) }
        let pr = models.map {
            EvaluationCharts.Series(name: $0.name, points: $0.precisionRecallCurve, area: $0.result.prAUC)
        }
        let positives = models.first.map { Double($0.result.confusion.tp + $0.result.confusion.fn) } ?? 0
        let total = models.first.map { Double(max($0.result.confusion.total, 1)) } ?? 1
        files["report/roc.svg"] = Array(EvaluationCharts.rocCurve(roc).utf8)
        files["report/pr.svg"] = Array(EvaluationCharts.precisionRecallCurve(pr, baseline: positives / total).utf8)
        for m in models {
            files["report/histogram_\(m.name).svg"] = Array(
                EvaluationCharts.scoreHistogram(m.histogram, threshold: m.threshold, title: "\(m.name) scores").utf8)
        }
        files["report/index.html"] = Array(EvaluationReport.html(title: title, notes: notes, models: models).utf8)
        return files
    }

    /// Writes ``files(_:title:notes:)`` under `directory` (JSON to `jsonPath` instead when given).
    public static func write(
        _ models: [ModelEvaluation], reportDirectory: String?, jsonPath: String?, title: String, notes: [String]
    ) throws(DetectionError) {
        let all = try files(models, title: title, notes: notes)
        if let jsonPath, let json = all["evaluation.json"] {
            try ModelFile.write(json, to: jsonPath)
        }
        if let reportDirectory {
            try FileManager.default.createDirectoryIfNeeded(reportDirectory)
            for (name, bytes) in all where name.hasPrefix("report/") {
                try ModelFile.write(bytes, to: reportDirectory + "/" + name.dropFirst("report/".count))
            }
        }
    }

    /// Evaluates the bundle at `modelPath` (bundle or model directory) on the labelled CSV `dataFile`.
    ///
    /// With `historyFile`, that file is replayed first (its rows are not scored) so users start the evaluation
    /// with their history. Bad rows are skipped and counted. Throws when the file has no labels.
    public static func run(
        modelPath: String, dataFile: String, historyFile: String? = nil, blanking: Blanking? = nil,
        progress: TrainingPipeline.Progress? = nil
    ) throws(DetectionError) -> Outcome {
        let scorer = try AnomalyScorer(path: modelPath)
        var historyRows = 0
        var replay = FeatureReplaySession(priors: scorer.bundle.manifest.featurePriors)
        if let historyFile {
            let history = try CSVTransactionReader.readAll(path: historyFile, policy: .scoring) { read, total in
                progress?(.reading, read, total ?? read)
            }
            historyRows = history.transactions.count
            _ = replay.run(history.transactions)
        }
        var dataset = try CSVTransactionReader.readAll(path: dataFile, policy: .scoring) { read, total in
            progress?(.reading, read, total ?? read)
        }
        var blankedRows = 0
        if let blanking {
            guard blanking.share.isFinite, (0...1).contains(blanking.share) else {
                throw DetectionError(.invalidArgument, "blanked share must be in [0, 1], got \(blanking.share)")
            }
            let chosen = MissingFields.choose(
                rows: Array(dataset.transactions.indices), share: blanking.share, seed: blanking.seed)
            for row in chosen { dataset.transactions[row] = MissingFields.blanked(dataset.transactions[row]) }
            blankedRows = chosen.count
        }
        guard dataset.hasLabels else {
            throw DetectionError(.invalidCSV, "\(dataFile) has no is_anomaly column; evaluation needs labels")
        }
        let n = dataset.transactions.count
        let features = replay.run(dataset.transactions) { done in
            progress?(.features, done, n)
        }
        progress?(.evaluation, 0, 1)
        let batch = try scorer.scores(unscaled: features.matrix)
        // Rows with an empty is_anomaly cell are scored (they are part of the replayed history) but not judged.
        let labelled = dataset.labels.indices.filter { dataset.labels[$0] != nil }
        let models = evaluate(
            labelled.count == n ? batch : batch.selecting(rows: labelled),
            labels: labelled.compactMap { dataset.labels[$0] }, scorer: scorer)
        progress?(.evaluation, 1, 1)
        return Outcome(
            models: models, rows: n, badRows: dataset.badRowCount, historyRows: historyRows, blankedRows: blankedRows)
    }
}
