import ArgumentParser
import Detection
import Foundation

/// `txad evaluate`: metrics of a model bundle on a labelled CSV file (SPEC §3).
public struct EvaluateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a model bundle on labelled data: table, JSON, SVG curves and an HTML report.",
        discussion: """
            Features are computed by replaying DATA's own history in time order from empty user state, so DATA \
            should contain the users' history; users first seen in it start cold (their statistics warm up from \
            the bundle's priors). --history FILE replays FILE first (its rows are not scored) so users start \
            with their earlier transactions, e.g. the training period.

            --simulate-review BUDGET measures the learning loop on DATA alone (no --model), in time order: \
            unsupervised training on the first 50 %, the next 20 % scored with history, a simulated analyst labels \
            the top BUDGET alerts from the ground truth, retraining on the first 70 % with those labels, and \
            evaluation of the last 30 % with history — unsupervised and with labels side by side.
            """)

    @Option(help: "Model bundle directory, or a model directory whose ACTIVE version is used.")
    var model: String?

    @Option(help: "Simulate the review loop with this many reviewed alerts (see above); needs no --model.")
    var simulateReview: Int?

    @Option(help: "With --simulate-review: random seed of the models.")
    var seed: UInt64 = 42

    @Option(help: "With --simulate-review: weight of unlabelled rows as presumed negatives.")
    var unlabelledWeight: Double = 0

    @Option(help: "With --simulate-review: share of the latest labels held out to fit the blend.")
    var stackingFraction: Double = 0.3

    @Option(help: "With --simulate-review: depth of the supervised trees.")
    var boostingDepth: Int = 5

    @Option(help: "With --simulate-review: shrinkage of the supervised trees.")
    var boostingLearningRate: Double = 0.1

    @Flag(
        help: """
            With --simulate-review: fit the blend on the labelled rows only (default: with its period's unlabelled \
            rows as presumed negatives).
            """)
    var blendLabelledOnly = false

    @Option(
        help: """
            Blank every optional field (merchant, category, channel, location, country) in this seeded share of \
            DATA's rows before scoring (history untouched): the partial-transaction measurement. (default: 0)
            """)
    var blankOptionalShare: Double = 0

    @Option(help: "Seed choosing the rows --blank-optional-share blanks.")
    var blankSeed: UInt64 = 1

    @Option(help: "Labelled CSV (is_anomaly column).")
    var data: String

    @Option(help: "Earlier transactions replayed first to warm up user state (not scored).")
    var history: String?

    @Option(help: "Write the JSON results here.")
    var json: String?

    @Option(help: "Write SVG curves, histograms and index.html into this directory.")
    var report: String?

    @Flag(help: "Do not show progress.")
    var quiet = false

    public init() {}

    public func validate() throws {
        guard (model == nil) != (simulateReview == nil) else {
            throw ValidationError("give either --model (evaluate a bundle) or --simulate-review BUDGET, not both")
        }
        if let simulateReview, simulateReview < 1 { throw ValidationError("--simulate-review takes a budget ≥ 1") }
        guard blankOptionalShare.isFinite, (0...1).contains(blankOptionalShare) else {
            throw ValidationError("--blank-optional-share must be a share in [0, 1], got \(blankOptionalShare)")
        }
        if blankOptionalShare > 0, simulateReview != nil {
            throw ValidationError("--blank-optional-share applies to --model evaluations only")
        }
    }

    public func run() throws {
        if let budget = simulateReview { return try simulate(budget: budget) }
        guard let model else { throw ValidationError("--model is required") }
        let bars = StageProgressBars(quiet: quiet)
        let outcome = try Evaluator.run(
            modelPath: model, dataFile: data, historyFile: history,
            blanking: blankOptionalShare > 0 ? .init(share: blankOptionalShare, seed: blankSeed) : nil
        ) { stage, done, total in
            bars.update(stage, done, total)
        }
        bars.finish()
        let directory = try ModelRegistry.resolveBundleDirectory(model)
        let notes = [
            "model \(directory)", "data \(data): \(formatCount(outcome.rows)) rows, \(formatCount(outcome.badRows)) bad rows skipped",
        ] + (history.map { ["history \($0): \(formatCount(outcome.historyRows)) rows replayed first"] } ?? [])
            + partialNotes(outcome)
        try Evaluator.write(
            outcome.models, reportDirectory: report, jsonPath: json, title: "txad evaluation of \(directory)", notes: notes)
        for note in notes { print(note) }
        print(EvaluationTable.render(outcome.models.map { ($0.name, $0.result) }), terminator: "")
        if let json { print("JSON: \(json)") }
        if let report { print("report: \(report)/index.html") }
    }

    /// The blanked rows (with `--blank-optional-share`) and the final score's alert rate.
    private func partialNotes(_ outcome: Evaluator.Outcome) -> [String] {
        var notes: [String] = []
        if blankOptionalShare > 0 {
            notes.append(
                "optional fields blanked in \(formatCount(outcome.blankedRows)) rows "
                    + "(share \(blankOptionalShare), seed \(blankSeed))")
        }
        if let ensemble = outcome.models.first(where: { $0.name == Evaluator.ensembleName }) {
            let c = ensemble.result.confusion
            let alerts = c.tp + c.fp
            let rate = Double(alerts) / Double(max(1, alerts + c.tn + c.fn))
            notes.append("alert rate (final score): \(String(format: "%.4f", rate))")
        }
        return notes
    }

    /// `--simulate-review`: the loop on one labelled file.
    private func simulate(budget: Int) throws {
        let bars = StageProgressBars(quiet: quiet)
        let dataset = try CSVTransactionReader.readAll(path: data, policy: .scoring) { read, total in
            bars.update(.reading, read, total ?? read)
        }
        guard dataset.hasLabels, dataset.labels.allSatisfy({ $0 != nil }) else {
            throw ValidationError("\(data) needs an is_anomaly label on every row for --simulate-review")
        }
        var options = TrainingOptions(seed: seed)
        options.unlabelledWeight = unlabelledWeight
        options.stackingFraction = stackingFraction
        options.gradientBoosting.maxDepth = boostingDepth
        options.gradientBoosting.learningRate = boostingLearningRate
        options.blendUnlabelled = !blendLabelledOnly
        let info = BundleManifest.TrainingData(
            file: (data as NSString).lastPathComponent, sha256: try SHA256.hex(ofFile: data),
            rows: dataset.transactions.count, badRows: dataset.badRowCount, trainingRows: 0, holdoutRows: 0,
            firstTimestamp: nil, lastTimestamp: nil)
        let outcome = try ReviewSimulation.run(
            transactions: dataset.transactions, labels: dataset.labels.compactMap { $0 }, budget: budget,
            options: options, data: info
        ) { stage, done, total in bars.update(stage, done, total) }
        bars.finish()
        let notes = ["data \(data): \(formatCount(dataset.transactions.count)) rows, review budget \(budget), seed \(seed)"]
        try outcome.write(
            reportDirectory: report, jsonPath: json, title: "txad simulated review of \(info.file)", notes: notes)
        for line in notes + outcome.summary { print(line) }
        print("\nevery model on the evaluation period:")
        print(EvaluationTable.render(outcome.models.map { ($0.name, $0.result) }), terminator: "")
        if let json { print("JSON: \(json)") }
        if let report { print("report: \(report)/index.html") }
    }
}
