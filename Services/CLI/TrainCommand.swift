import ArgumentParser
import Detection
import Domain
import Foundation

/// `txad train`: fits both models on a CSV file and writes a versioned bundle (SPEC §3, §8).
public struct TrainCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the Isolation Forest + autoencoder ensemble on a CSV file and write a model bundle.",
        discussion: """
            Writes OUTPUT/<version>/ (manifest.json, isolation_forest.bin, autoencoder.bin) and makes it the \
            active version of OUTPUT unless --no-activate. With --holdout F the latest share F of rows by time is \
            held out: features are replayed over the whole file in time order, models are fitted on the earlier \
            rows and evaluated on the held-out ones (evaluation.json and report/ are written into the bundle). \
            Without --labels/--feedback training is unsupervised (the is_anomaly column is only used for the \
            evaluation). With analysts' decisions (--labels FILE: CSV transaction_id,label with fraud/legitimate \
            or 1/0; --feedback DATABASE_URL: the decided alerts of the alerts service and their transactions from \
            its predictions table) gradient-boosted trees learn from the labelled training rows, with the \
            unsupervised scores as extra inputs, and the final score becomes a logistic blend of the three fitted \
            on the latest labels. Labelled ids found in no row are reported.
            """)

    @Option(help: "Training data CSV (.csv or .csv.gz).")
    var data: String

    @Option(help: "Model directory; the bundle goes to OUTPUT/<version>/.")
    var output: String

    @Option(help: "Bundle version (default: the current UTC time, e.g. 20250101T120000Z).")
    var version: String?

    @Option(help: "Share of the latest rows (by time) held out for evaluation, 0…0.9.")
    var holdout: Double = 0

    @Option(help: "Isolation Forest trees.")
    var trees: Int = 100

    @Option(help: "Isolation Forest subsample size ψ.")
    var subsample: Int = 256

    @Option(help: "Isolation Forest depth limit (default ceil(log2 ψ)).")
    var maxDepth: Int?

    @Flag(help: "Use the Extended Isolation Forest (random hyperplane splits).")
    var extended = false

    @Option(help: "Extended IF extension level (non-zero coordinates − 1; default: all features).")
    var extensionLevel: Int?

    @Option(help: "Maximum autoencoder epochs (early stopping may end sooner).")
    var epochs: Int = 20

    @Option(help: "Autoencoder mini-batch size.")
    var batchSize: Int = 256

    @Option(help: "Autoencoder Adam learning rate.")
    var learningRate: Double = 0.001

    @Option(help: "Autoencoder early-stopping patience (epochs).")
    var patience: Int = 3

    @Option(help: "Expected share of anomalies; sets the anomaly threshold.")
    var contamination: Double = 0.05

    @Option(help: "Ensemble weights of Isolation Forest and autoencoder, e.g. 0.5,0.5.")
    var weights: String = "0.5,0.5"

    @Option(help: "Risk percentiles of the training ensemble scores for high and critical, e.g. 0.98,0.995.")
    var riskPercentiles: String = "0.98,0.995"

    @Option(help: "Random seed of both models.")
    var seed: UInt64 = 42

    @Option(help: "Fail when more than this share of rows is invalid.")
    var maxBadRows: Double = 0.01

    @Option(help: "Analysts' decisions: CSV with transaction_id,label (fraud/legitimate or 1/0).")
    var labels: String?

    @Option(help: "PostgreSQL URL of the alerts database: its decided alerts become labels.")
    var feedback: String?

    @Option(help: "Weight of unlabelled rows as presumed negatives for the supervised trees (0: not used).")
    var unlabelledWeight: Double = 0

    @Option(help: "Share of the latest labels held out to fit the blend.")
    var stackingFraction: Double = 0.3

    @Flag(
        help: "Fit the blend on the labelled rows only (default: with its period's unlabelled rows as negatives).")
    var blendLabelledOnly = false

    @Option(help: "Supervised trees: maximum boosting rounds (early stopping ends sooner).")
    var boostingRounds: Int = 300

    @Option(help: "Supervised trees: depth.")
    var boostingDepth: Int = 5

    @Option(help: "Supervised trees: learning rate.")
    var boostingLearningRate: Double = 0.1

    @Option(help: "Alert budget: set the anomaly threshold so about N training-period rows a day reach it.")
    var alertsPerDay: Double?

    @Option(help: "Share of training rows added again with optional fields blanked (partial transactions; 0: none).")
    var missingFieldShare: Double = 0.5

    @Flag(help: "Write the bundle without making it the active version.")
    var noActivate = false

    @Option(help: "MLflow tracking server (env MLFLOW_TRACKING_URI): log params, metrics and the bundle as a run.")
    var mlflowURI: String?

    @Option(help: "MLflow experiment (env MLFLOW_EXPERIMENT_NAME; default txad).")
    var mlflowExperiment: String?

    @Option(
        help: "Register the bundle in the PostgreSQL model registry at this URL (with the MLflow run id when logged).")
    var registerDatabaseURL: String?

    @Option(name: .customLong("as"), help: "Who registers it (env TXAD_PRINCIPAL, then USER).")
    var principal: String?

    @Flag(help: "Do not show progress.")
    var quiet = false

    public init() {}

    public func validate() throws {
        _ = try options()
    }

    /// The training options the flags describe; `ValidationError`s say what to type.
    func options() throws -> TrainingOptions {
        let weightPair = try Self.pair(weights, flag: "--weights")
        let risk = try Self.pair(riskPercentiles, flag: "--risk-percentiles")
        let options = TrainingOptions(
            isolationForest: IsolationForest.Configuration(
                trees: trees, subsampleSize: subsample, maxDepth: maxDepth,
                extensionLevel: extended ? (extensionLevel ?? Int(Int32.max)) : nil),
            autoencoder: Autoencoder.Configuration(
                epochs: epochs, batchSize: batchSize, learningRate: learningRate, patience: patience),
            contamination: contamination,
            weights: EnsembleCalibration.Weights(isolationForest: weightPair.0, autoencoder: weightPair.1),
            riskPercentiles: RiskTable.Percentiles(high: risk.0, critical: risk.1), holdout: holdout,
            maxBadRows: maxBadRows, seed: seed,
            gradientBoosting: GradientBoosting.Configuration(
                trees: boostingRounds, learningRate: boostingLearningRate, maxDepth: boostingDepth),
            unlabelledWeight: unlabelledWeight, stackingFraction: stackingFraction, alertsPerDay: alertsPerDay,
            missingFieldShare: missingFieldShare, blendUnlabelled: !blendLabelledOnly)
        if extensionLevel != nil, !extended {
            throw ValidationError("--extension-level needs --extended")
        }
        do {
            try options.validate()
            if let version { try ModelBundle.validate(version: version) }
        } catch {
            throw ValidationError(error.message)
        }
        return options
    }

    /// Prints what became of the labels: counts, the blend, unknown ids (to standard error), the alert budget.
    static func reportLabels(_ outcome: TrainingPipeline.Outcome) {
        let manifest = outcome.bundle.manifest
        if !outcome.unknownLabelIDs.isEmpty {
            let shown = outcome.unknownLabelIDs.prefix(20).joined(separator: ", ")
            let more = outcome.unknownLabelIDs.count > 20 ? ", …" : ""
            FileHandle.standardError.write(
                Data(
                    ("warning: \(formatCount(outcome.unknownLabelIDs.count)) labelled transaction ids are in no row of "
                        + "the data and were not used: \(shown)\(more)\n").utf8))
        }
        if outcome.holdoutLabels > 0 {
            print("\(formatCount(outcome.holdoutLabels)) labels fall in the holdout and were not used for training")
        }
        if let blend = manifest.supervised {
            let l = blend.labels
            let s = blend.stacking
            print(
                "supervised: \(formatCount(l.matched)) labels matched of \(formatCount(l.given)) (\(formatCount(l.fraud)) "
                    + "fraud, \(formatCount(l.legitimate)) legitimate); trees on \(formatCount(l.boostingRows)) labels"
                    + (l.unlabelledRows > 0 ? " + \(formatCount(l.unlabelledRows)) unlabelled × \(l.unlabelledWeight)" : "")
                    + ", kept \(blend.boostingHistory.bestRound) rounds; blend on \(formatCount(l.stackingRows)) labels"
                    + ((l.blendUnlabelledRows ?? 0) > 0
                        ? " + \(formatCount(l.blendUnlabelledRows ?? 0)) unlabelled rows of their period" : "") + ": "
                    + String(
                        format: "%.2f + %.2f·logit(IF) + %.2f·logit(AE) + %.2f·trees", s.intercept, s.coefficients[0],
                        s.coefficients[1], s.coefficients[2]))
        }
        if let budget = manifest.alertBudget {
            let daily = budget.expectedDailyAlerts
            print(
                String(
                    format: "alert budget %.0f/day over %.1f days (%.0f rows/day): expected medium+ %.0f, high+ %.0f, "
                        + "critical %.0f a day", budget.alertsPerDay, budget.trainingDays, budget.trainingRowsPerDay,
                    daily["medium"] ?? 0, daily["high"] ?? 0, daily["critical"] ?? 0))
        }
    }

    /// Parses "a,b" into two numbers.
    static func pair(_ text: String, flag: String) throws -> (Double, Double) {
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let a = parts[0], let b = parts[1] else {
            throw ValidationError("\(flag) takes two numbers separated by a comma, e.g. 0.5,0.5; got '\(text)'")
        }
        return (a, b)
    }

    public func run() async throws {
        let options = try options()
        var reviewLabels: ReviewLabels?
        var extra: [Transaction] = []
        if let labels {
            reviewLabels = try ReviewLabels.read(path: labels)
        }
        if let feedback {
            let decided = try await FeedbackReader.read(url: feedback)
            var merged = reviewLabels ?? ReviewLabels()
            for (id, fraud) in decided.labels.byTransaction { merged.set(id, fraud: fraud) }
            reviewLabels = merged
            extra = decided.transactions
            for problem in decided.skipped {
                FileHandle.standardError.write(Data("warning: decided alert skipped: \(problem)\n".utf8))
            }
            print("feedback: \(formatCount(decided.labels.count)) decided alerts (\(formatCount(decided.labels.fraudCount)) fraud)")
        }
        let bars = StageProgressBars(quiet: quiet)
        let outcome = try TrainingPipeline.run(
            dataFile: data, modelsDirectory: output, version: version, options: options, activate: !noActivate,
            reviewLabels: reviewLabels, extraTransactions: extra
        ) { stage, done, total in bars.update(stage, done, total) }
        bars.finish()
        Self.reportLabels(outcome)
        let manifest = outcome.bundle.manifest
        let info = manifest.trainingData
        let history = manifest.autoencoderHistory
        print(
            "trained \(manifest.version) on \(formatCount(info.trainingRows)) rows of \(info.file) "
                + "(\(formatCount(info.badRows)) bad rows skipped, \(formatCount(info.holdoutRows)) held out); "
                + "autoencoder kept epoch \(history.bestEpoch) of \(history.trainingLoss.count)"
                + (history.stoppedEarly ? " (early stop)" : ""))
        print("bundle: \(outcome.directory ?? output)" + (noActivate ? "" : " (active)"))
        if let evaluation = outcome.evaluation {
            print("\nholdout evaluation (\(formatCount(info.holdoutRows)) rows):")
            print(EvaluationTable.render(evaluation.map { ($0.name, $0.result) }), terminator: "")
        }
        let directory = outcome.directory ?? output + "/" + manifest.version
        let runID = await TrainingTracker.track(
            uri: mlflowURI, experiment: mlflowExperiment, bundleDirectory: directory, manifest: manifest)
        if let url = registerDatabaseURL {
            let environment = ProcessInfo.processInfo.environment
            guard let actor = principal ?? environment["TXAD_PRINCIPAL"] ?? environment["USER"], !actor.isEmpty else {
                throw ValidationError("--as NAME is required with --register-database-url (or set TXAD_PRINCIPAL)")
            }
            let record = try await RegistryCLI.withRegistry(url) {
                try await $0.register(directory: directory, by: actor, mlflowRunID: runID)
            }
            print("registered \(record.version) as candidate" + (runID.map { " (MLflow run \($0))" } ?? ""))
        }
    }
}

/// One progress bar per pipeline stage, created when the stage starts and finished when the next one begins.
final class StageProgressBars {
    private let quiet: Bool
    private var stage: TrainingPipeline.Stage?
    private var bar: ProgressBar?
    private var done = 0

    init(quiet: Bool) {
        self.quiet = quiet
    }

    func update(_ stage: TrainingPipeline.Stage, _ done: Int, _ total: Int) {
        guard !quiet else { return }
        if stage != self.stage {
            finish()
            self.stage = stage
            let unit: String
            switch stage {
            case .reading: unit = "bytes"
            case .features: unit = "rows"
            case .autoencoder: unit = "epochs"
            default: unit = "steps"
            }
            bar = ProgressBar(label: stage.rawValue, total: total, unit: unit)
        }
        self.done = done
        bar?.update(done, total: total)
    }

    func finish() {
        bar?.finish(done)
        bar = nil
    }
}
