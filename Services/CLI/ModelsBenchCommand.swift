import ArgumentParser
import Detection
import Domain
import Foundation

/// `txad bench models`: times and scores the models on generated data (70 % train / 30 % test by time) and prints
/// a table; figures depend on the machine and its load, so nothing asserts them.
public struct ModelsBenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Benchmark model training, scoring and quality on generated data (build with -c release).",
        discussion: """
            Generates --rows transactions, replays features, trains on the first 70 % by time and measures: feature \
            replay, Isolation Forest fit + calibration and scoring, Extended IF, autoencoder training (exactly \
            --epochs epochs, no early stopping) and scoring, one-row ensemble scoring with reasons, and `txad score` \
            of the whole file end to end. Quality (ROC/PR AUC) is measured on the last 30 %. Wall time and this \
            process's CPU time are both shown (CPU time is steadier on a busy machine).
            """)

    @Option(help: "Rows to generate.")
    var rows: Int = 1_000_000

    @Option(help: "Autoencoder epochs to time.")
    var epochs: Int = 20

    @Option(help: "Random seed of data and models.")
    var seed: UInt64 = 42

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    @Flag(help: "Skip the end-to-end `txad score` run.")
    var skipScore = false

    /// A group of timed steps; `--only` selects some of them.
    enum Step: String, CaseIterable, ExpressibleByArgument {
        case forest, extended, autoencoder, single, score, boosting
    }

    @Option(
        parsing: .upToNextOption,
        help: "Time only these steps (\(Step.allCases.map(\.rawValue).joined(separator: ", "))); default all.")
    var only: [Step] = []

    /// Whether `step` is timed in this run (the models a later step needs are still trained).
    private func wants(_ step: Step) -> Bool {
        if step == .score, skipScore { return false }
        return only.isEmpty || only.contains(step)
    }

    public init() {}

    public func validate() throws {
        guard rows >= 10_000 else { throw ValidationError("--rows must be at least 10000") }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
    }

    /// One timed step.
    struct Measurement: Codable {
        var name: String
        var items: Int
        var unit: String
        var wallSeconds: Double
        var cpuSeconds: Double
        var target: String
    }

    public func run() throws {
        var measurements: [Measurement] = []
        func time<T>(_ name: String, items: Int, unit: String = "rows", target: String = "", _ body: () throws -> T)
            rethrows -> T
        {
            let start = ContinuousClock.now
            let cpu = Self.cpuSeconds()
            let result = try body()
            let d = ContinuousClock.now - start
            measurements.append(
                Measurement(
                    name: name, items: items, unit: unit,
                    wallSeconds: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18,
                    cpuSeconds: Self.cpuSeconds() - cpu, target: target))
            return result
        }

        let generated = try TransactionGenerator(configuration: GeneratorConfiguration(count: rows, seed: seed))
            .generate()
        let transactions = generated.transactions
        let labels = generated.labels
        let trainCount = rows * 7 / 10
        let priors = try FeaturePriors.fit(transactions[0..<trainCount])
        let replay = FeatureReplay(priors: priors)
        let features = time("feature replay", items: rows, target: "≥ 500,000 rows/s") { replay.run(transactions) }
        var train = features.matrix.selecting(rows: 0..<trainCount)
        var test = features.matrix.selecting(rows: trainCount..<rows)
        let scaler = try StandardScaler.fit(train)
        try scaler.transform(&train)
        try scaler.transform(&test)
        let modelInputs = try ModelInputs.fit(train, roles: FeatureSchema.current.inputRoles)
        try modelInputs.transform(&train)
        try modelInputs.transform(&test)
        let testLabels = labels[trainCount...].map(\.isAnomaly)

        let forestOptions = IsolationForest.Configuration(seed: seed)
        var forestTrainScores: [Float] = []
        let forest = try time("IF fit + calibration (700k)", items: trainCount, target: "≤ 0.5 s") {
            let forest = try IsolationForest(fitting: train, configuration: forestOptions)
            forestTrainScores = forest.scores(train)
            _ = try EmpiricalCDF(fitting: forestTrainScores)
            return forest
        }
        var forestTest = wants(.forest) ? [] : forest.scores(test)
        for _ in 0..<(wants(.forest) ? 3 : 0) {
            forestTest = time("IF scoring", items: test.rows, target: "≥ 2,000,000 rows/s") { forest.scores(test) }
        }
        var extendedTest: [Float]?
        if wants(.extended) {
            var extendedOptions = forestOptions
            extendedOptions.extensionLevel = train.columns - 1
            let extended = try time("EIF fit (full extension)", items: trainCount) {
                try IsolationForest(fitting: train, configuration: extendedOptions)
            }
            extendedTest = time("EIF scoring", items: test.rows) { extended.scores(test) }
        }

        let autoencoderOptions = Autoencoder.Configuration(epochs: epochs, patience: epochs, seed: seed)
        let (network, _) = try time(
            "AE training (\(epochs) epochs × \(formatCount(trainCount)))", items: trainCount * epochs, unit: "row-epochs",
            target: "≤ 9 s for 20 × 700k"
        ) { try Autoencoder.train(train, configuration: autoencoderOptions) }
        var networkTest = wants(.autoencoder) ? [] : network.scores(test)
        for _ in 0..<(wants(.autoencoder) ? 3 : 0) {
            networkTest = time("AE scoring", items: test.rows, target: "≥ 5,000,000 rows/s") { network.scores(test) }
        }
        let networkTrain = network.scores(train)

        let calibration = try EnsembleCalibration(
            isolationForestScores: forestTrainScores, autoencoderScores: networkTrain, weights: .init(),
            contamination: 0.05)
        let manifest = BundleManifest(
            version: "bench", created: RFC3339.format(millis: 0), featureSchema: .current, scaler: scaler,
            modelInputs: modelInputs, featurePriors: priors, ensemble: calibration,
            parameters: .init(
                isolationForest: forestOptions, autoencoder: autoencoderOptions, contamination: 0.05, weights: .init(),
                riskPercentiles: .init(), holdout: 0.3, maxBadRows: 0.01, seed: seed),
            trainingData: .init(
                file: "generated", sha256: "", rows: rows, badRows: 0, trainingRows: trainCount,
                holdoutRows: rows - trainCount, firstTimestamp: nil, lastTimestamp: nil),
            autoencoderHistory: .init(trainingLoss: [], validationLoss: [], bestEpoch: epochs, stoppedEarly: false),
            files: [:], evaluation: nil)
        let bundle = ModelBundle(manifest: manifest, isolationForest: forest, autoencoder: network)
        let scorer = AnomalyScorer(bundle: bundle)

        let vectors = (0..<1000).map { i in
            let row = trainCount + i * (rows - trainCount) / 1000
            return FeatureVector(
                transactionID: transactions[row].transactionID, schemaVersion: FeatureSchema.current.version,
                values: features.matrix[row: row].map(Double.init), rawValues: RawFeatures().values, degraded: false)
        }
        let singles = wants(.single) ? 20_000 : 0
        if singles > 0 {
            try time("one-row ensemble score + reasons", items: singles, unit: "calls", target: "≤ 10 µs per call") {
                for i in 0..<singles { _ = try scorer.score([vectors[i % vectors.count]]) }
            }
        }

        if wants(.boosting) {
            try benchBoosting(
                train: train, test: test, labels: labels.map(\.isAnomaly), calibration: calibration,
                forest: forestTrainScores + forestTest, network: networkTrain + networkTest, bundle: bundle,
                vectors: vectors
            ) { name, items, unit, target, body in try time(name, items: items, unit: unit, target: target, body) }
        }

        let directory = NSTemporaryDirectory() + "txad-bench-models-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        if wants(.score) {
            let data = directory + "/data.csv"
            let writer = try CSVWriter(path: data)
            try generated.write(to: writer)
            _ = try writer.close()
            try bundle.write(to: directory + "/bundle")
            _ = try time("txad score end to end", items: rows, target: "≤ 10 s for 1,000,000") {
                try BatchScoring.run(
                    modelPath: directory + "/bundle", dataFile: data, outputFile: directory + "/scored.csv")
            }
        }

        printTable(measurements)
        var quality: [(String, EvaluationResult)] = []
        let batch = scorer.scores(scaled: test)
        let runs: [(String, [Double]?)] = [
            ("isolation_forest", forestTest.map(Double.init)), ("extended_if", extendedTest?.map(Double.init)),
            ("autoencoder", networkTest.map(Double.init)), ("ensemble", batch.ensemble),
        ]
        for case (let name, let scores?) in runs {
            quality.append((name, Metrics.evaluate(labels: testLabels, scores: scores, threshold: .infinity)))
        }
        print("\nquality on the last 30 % (\(formatCount(test.rows)) rows, models trained on the first 70 %):")
        for (name, result) in quality {
            print(
                "  \(name.padding(toLength: 18, withPad: " ", startingAt: 0)) ROC AUC "
                    + "\(result.rocAUC.map { String(format: "%.3f", $0) } ?? "—")  PR AUC "
                    + "\(result.prAUC.map { String(format: "%.3f", $0) } ?? "—")")
        }
        print("peak memory of this process: \(Self.peakMemoryMiB()) MiB")
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(measurements).write(to: URL(fileURLWithPath: json))
        }
    }

    /// The supervised trees on every row (all labelled, IF/AE scores as inputs): training, batch scoring, and
    /// one-row scoring with reasons through a supervised bundle.
    private func benchBoosting(
        train: FeatureMatrix, test: FeatureMatrix, labels: [Bool], calibration: EnsembleCalibration, forest: [Float],
        network: [Float], bundle: ModelBundle, vectors: [FeatureVector],
        time: (String, Int, String, String, () throws -> Any) throws -> Any
    ) throws {
        let all = FeatureMatrix(columns: train.columns, values: train.values + test.values)
        let forestCalibrated = forest.map { calibration.isolationForest.probability(Double($0)) }
        let networkCalibrated = network.map { calibration.autoencoder.probability(Double($0)) }
        let inputs = SupervisedBlend.inputs(
            scaled: all, isolationForest: forestCalibrated, autoencoder: networkCalibrated)
        let options = GradientBoosting.Configuration(seed: seed)
        let trees = try time("GBT training (all rows labelled)", inputs.rows, "rows", "≤ 10 s for 1,000,000") {
            try GradientBoosting(fitting: inputs, labels: labels, configuration: options)
        } as? GradientBoosting
        guard let trees else { return }
        print("GBT kept \(trees.treeCount) rounds of depth \(trees.depth)")
        for _ in 0..<3 {
            _ = try time("GBT batch scoring", inputs.rows, "rows", "≥ 2,000,000 rows/s") { trees.margins(inputs) }
        }
        let margins = trees.margins(inputs)
        let stackRows = Array(stride(from: train.rows, to: all.rows, by: 10))
        let stacking = try LogisticStacking(
            fitting: stackRows.map {
                [
                    SupervisedBlend.logit(forestCalibrated[$0]), SupervisedBlend.logit(networkCalibrated[$0]),
                    Double(margins[$0]),
                ]
            }, labels: stackRows.map { labels[$0] }, inputs: SupervisedBlend.inputNames)
        var manifest = bundle.manifest
        manifest.supervised = SupervisedBlend(
            labels: .init(
                given: labels.count, matched: labels.count, fraud: labels.filter { $0 }.count,
                legitimate: labels.filter { !$0 }.count, boostingRows: labels.count, stackingRows: stackRows.count,
                unlabelledRows: 0, unlabelledWeight: 0),
            stacking: stacking, gradientBoosting: options, boostingHistory: trees.history,
            anomalyThreshold: calibration.anomalyThreshold, risk: calibration.risk)
        let scorer = AnomalyScorer(
            bundle: ModelBundle(
                manifest: manifest, isolationForest: bundle.isolationForest, autoencoder: bundle.autoencoder,
                gradientBoosting: trees))
        let calls = 20_000
        _ = try time("one-row supervised score + reasons", calls, "calls", "≤ 15 µs per call") {
            for i in 0..<calls { _ = try scorer.score([vectors[i % vectors.count]]) }
            return calls
        }
    }

    private func printTable(_ measurements: [Measurement]) {
        // Repeated steps (scoring runs) are merged into their best run.
        var merged: [Measurement] = []
        for m in measurements {
            if let i = merged.firstIndex(where: { $0.name == m.name }) {
                if m.wallSeconds < merged[i].wallSeconds { merged[i] = m }
            } else {
                merged.append(m)
            }
        }
        let width = merged.map(\.name.count).max() ?? 0
        print("rows: \(formatCount(rows)); cores: \(ProcessInfo.processInfo.activeProcessorCount)")
        for m in merged {
            let pad = String(repeating: " ", count: width - m.name.count)
            let rate = m.wallSeconds > 0 ? Double(m.items) / m.wallSeconds : 0
            let cpuRate = m.cpuSeconds > 0 ? Double(m.items) / m.cpuSeconds : 0
            let perCall = m.unit == "calls" ? String(format: "  %.2f µs/call", m.wallSeconds / Double(m.items) * 1e6) : ""
            print(
                "\(m.name)\(pad)  wall \(formatSeconds(m.wallSeconds)) (\(formatCount(Int(rate))) \(m.unit)/s)  "
                    + "cpu \(formatSeconds(m.cpuSeconds)) (\(formatCount(Int(cpuRate))) \(m.unit)/s)\(perCall)"
                    + (m.target.isEmpty ? "" : "  target \(m.target)"))
        }
    }

    /// User + system CPU seconds of this process.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) * 1e-6
    }

    /// VmHWM (peak resident set) of this process, from /proc/self/status.
    static func peakMemoryMiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        let kib = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        return kib / 1024
    }
}
