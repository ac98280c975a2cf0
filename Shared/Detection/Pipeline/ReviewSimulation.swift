import Domain

/// The learning loop measured end to end on one labelled data set, in time order (`txad evaluate
/// --simulate-review BUDGET`):
///
/// 1. train the unsupervised bundle on the first 50 % of rows;
/// 2. score the next 20 % with the users' history; a simulated analyst reviews the top BUDGET alerts of that period
///    and labels them from the ground truth;
/// 3. retrain on the first 70 % with those labels;
/// 4. evaluate the last 30 % with history: the final (blended) score against the unsupervised ensemble of the same
///    retrained bundle, which is exactly what training on the 70 % without labels gives.
public enum ReviewSimulation {
    /// What the run measured.
    public struct Outcome: Sendable {
        /// Rows in each period: first training, review, evaluation.
        public var trainingRows: Int
        public var reviewRows: Int
        public var evaluationRows: Int
        /// Alerts reviewed and how many were fraud.
        public var reviewed: Int
        public var reviewedFraud: Int
        /// Evaluation of every model on the last 30 % (``Evaluator`` names, with the supervised rows).
        public var models: [ModelEvaluation]
        /// Alerts the evaluation period gets at the review period's daily volume (BUDGET × its share of rows),
        /// and each model's recall among its top that many rows, by model name.
        public var budgetInEvaluation: Int
        public var recallAtBudget: [String: Double]
        /// The retrained bundle.
        public var bundle: ModelBundle
    }

    /// Runs the protocol; `labels` must cover every row. Progress is reported by stage.
    public static func run(
        transactions: [Transaction], labels: [AnomalyLabel], budget: Int, options: TrainingOptions,
        data: BundleManifest.TrainingData, progress: TrainingPipeline.Progress? = nil
    ) throws(DetectionError) -> Outcome {
        guard budget >= 1 else {
            throw DetectionError(.invalidArgument, "the review budget must be ≥ 1, got \(budget)")
        }
        guard labels.count == transactions.count, transactions.count >= 100 else {
            throw DetectionError(.invalidArgument, "the simulated review needs ≥ 100 labelled rows")
        }
        let order = TrainingPipeline.timeOrder(transactions)
        let sorted = order.map { transactions[$0] }
        let truth = order.map { labels[$0] }
        let n = sorted.count
        let firstEnd = n / 2
        let reviewEnd = n * 7 / 10
        var stageOptions = options
        stageOptions.holdout = 0

        // 1–2: unsupervised on the first half, the review period scored with history.
        let first = try TrainingPipeline.fit(
            transactions: Array(sorted[..<firstEnd]), labels: Array(truth[..<firstEnd]).map { $0 },
            options: stageOptions, version: "simulated-unsupervised", data: data, progress: progress)
        let firstScorer = AnomalyScorer(bundle: first.bundle)
        let reviewFeatures = FeatureReplay(priors: first.bundle.manifest.featurePriors).run(Array(sorted[..<reviewEnd]))
        let reviewScores = try firstScorer.scores(
            unscaled: reviewFeatures.matrix.selecting(rows: firstEnd..<reviewEnd)
        ).ensemble
        let top = topIndices(reviewScores, count: budget)
        var reviewLabels = ReviewLabels()
        for i in top { reviewLabels.set(sorted[firstEnd + i].transactionID, fraud: truth[firstEnd + i].isAnomaly) }

        // 3: retrain on 70 % with the labels.
        let second = try TrainingPipeline.fit(
            transactions: Array(sorted[..<reviewEnd]), labels: Array(truth[..<reviewEnd]).map { $0 },
            options: stageOptions, version: "simulated-supervised", data: data, reviewLabels: reviewLabels,
            progress: progress)

        // 4: the last 30 % with history.
        progress?(.evaluation, 0, 1)
        let scorer = AnomalyScorer(bundle: second.bundle)
        let features = FeatureReplay(priors: second.bundle.manifest.featurePriors).run(sorted)
        let batch = try scorer.scores(unscaled: features.matrix.selecting(rows: reviewEnd..<n))
        let evaluationTruth = Array(truth[reviewEnd...])
        let models = Evaluator.evaluate(batch, labels: evaluationTruth, scorer: scorer)
        let budgetInEvaluation = max(
            1, Int((Double(budget) * Double(n - reviewEnd) / Double(reviewEnd - firstEnd)).rounded()))
        let positives = evaluationTruth.filter(\.isAnomaly).count
        var recall: [String: Double] = [:]
        let series: [(String, [Double])] =
            [
                (Evaluator.isolationForestName, batch.isolationForest), (Evaluator.autoencoderName, batch.autoencoder),
                (Evaluator.ensembleName, batch.ensemble), (Evaluator.unsupervisedName, batch.unsupervised),
            ] + (batch.supervised.map { [(Evaluator.gradientBoostingName, $0)] } ?? [])
        for (name, scores) in series where positives > 0 {
            let hits = topIndices(scores, count: budgetInEvaluation).filter { evaluationTruth[$0].isAnomaly }.count
            recall[name] = Double(hits) / Double(positives)
        }
        progress?(.evaluation, 1, 1)
        return Outcome(
            trainingRows: firstEnd, reviewRows: reviewEnd - firstEnd, evaluationRows: n - reviewEnd,
            reviewed: top.count, reviewedFraud: top.filter { truth[firstEnd + $0].isAnomaly }.count, models: models,
            budgetInEvaluation: budgetInEvaluation, recallAtBudget: recall, bundle: second.bundle)
    }

    /// Indices of the `count` highest scores (ties: earlier first).
    static func topIndices(_ scores: [Double], count: Int) -> [Int] {
        Array(scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(count))
    }
}
