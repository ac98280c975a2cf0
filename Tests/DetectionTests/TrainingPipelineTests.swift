import Domain
import Foundation
import Testing

@testable import Detection

@Suite struct TrainingPipelineTests {
    /// Writes generated data to `path`.
    static func writeData(_ path: String, count: Int, seed: UInt64) throws {
        let data = try TransactionGenerator(configuration: GeneratorConfiguration(count: count, users: 30, seed: seed))
            .generate()
        let writer = try CSVWriter(path: path)
        try data.write(to: writer)
        _ = try writer.close()
    }

    @Test func trainsEvaluatesAndScoresAFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let train = directory.file("train.csv")
        let test = directory.file("test.csv")
        try Self.writeData(train, count: 3000, seed: 1)
        try Self.writeData(test, count: 1500, seed: 2)
        let models = directory.file("models")
        var stages: Set<String> = []
        let outcome = try TrainingPipeline.run(
            dataFile: train, modelsDirectory: models, version: "e2e", options: BundleFixtures.options
        ) { stage, _, _ in stages.insert(stage.rawValue) }
        #expect(stages.isSuperset(of: ["reading", "features", "isolation forest", "autoencoder", "calibration", "evaluation"]))
        let bundleDirectory = models + "/e2e"
        #expect(outcome.directory == bundleDirectory)
        #expect(try ModelRegistry(root: models).activeVersion() == "e2e")
        for file in ["manifest.json", "isolation_forest.bin", "autoencoder.bin", "evaluation.json", "report/index.html", "report/roc.svg", "report/pr.svg"] {
            #expect(FileManager.default.fileExists(atPath: bundleDirectory + "/" + file), "\(file) missing")
        }
        let manifest = try ModelBundle.load(from: bundleDirectory).manifest
        #expect(manifest.trainingData.sha256 == (try SHA256.hex(ofFile: train)))
        #expect(manifest.trainingData.trainingRows == 2100)
        #expect(manifest.trainingData.holdoutRows == 900)
        #expect(manifest.evaluation?.keys.sorted() == ["autoencoder", "ensemble", "isolation_forest"])
        let ensembleAUC = try #require(manifest.evaluation?["ensemble"]?.rocAUC)
        #expect(ensembleAUC > 0.7)

        let evaluation = try Evaluator.run(modelPath: models, dataFile: test, historyFile: train)
        #expect(evaluation.rows == 1500)
        #expect(evaluation.historyRows == 3000)
        #expect(evaluation.models.map(\.name) == ["isolation_forest", "autoencoder", "ensemble"])
        #expect((evaluation.models[2].result.rocAUC ?? 0) > 0.7)
        let report = directory.file("report")
        let json = directory.file("r.json")
        try Evaluator.write(evaluation.models, reportDirectory: report, jsonPath: json, title: "t", notes: [])
        let results = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        #expect(results?.keys.sorted() == ["autoencoder", "ensemble", "isolation_forest"])
        #expect(FileManager.default.fileExists(atPath: report + "/index.html"))

        let scored = directory.file("scored.csv")
        let scoring = try BatchScoring.run(modelPath: bundleDirectory, dataFile: test, outputFile: scored, chunkRows: 500)
        #expect(scoring.rows == 1500)
        #expect(scoring.badRows == 0)
        let reader = try CSVTransactionReader(path: scored)
        for column in ["ensemble_score", "risk_level", "predicted_is_anomaly", "reasons"] {
            #expect(reader.header.contains(column))
        }
        let back = try reader.readAll(policy: .scoring)
        #expect(back.transactions.count == 1500)
        #expect(back.transactions.map(\.transactionID) == (try CSVTransactionReader.readAll(path: test)).transactions.map(\.transactionID))
    }

    @Test func chunkedScoringMatchesOneWholeFileScore() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.file("data.csv")
        try Self.writeData(data, count: 1200, seed: 3)
        let bundle = directory.file("b")
        try BundleFixtures.bundle(version: "b").write(to: bundle)
        try BatchScoring.run(modelPath: bundle, dataFile: data, outputFile: directory.file("small.csv"), chunkRows: 100)
        try BatchScoring.run(modelPath: bundle, dataFile: data, outputFile: directory.file("whole.csv"), chunkRows: 10_000)
        let small = try Data(contentsOf: URL(fileURLWithPath: directory.file("small.csv")))
        let whole = try Data(contentsOf: URL(fileURLWithPath: directory.file("whole.csv")))
        #expect(small == whole)
    }

    @Test func skipsAndReportsBadRowsWhenScoring() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.file("data.csv")
        try Self.writeData(data, count: 300, seed: 4)
        var text = try String(contentsOfFile: data, encoding: .utf8)
        text += "bad-1,u1,not-a-time,12.5,USD,,,,,,,0,\n"
        try text.write(toFile: data, atomically: true, encoding: .utf8)
        let bundle = directory.file("b")
        try BundleFixtures.bundle(version: "b").write(to: bundle)
        let outcome = try BatchScoring.run(modelPath: bundle, dataFile: data, outputFile: directory.file("out.csv"))
        #expect(outcome.rows == 300)
        #expect(outcome.badRows == 1)
        #expect(outcome.badRowExamples.first?.line == 302)
    }

    @Test func splitsByTimeAndRefusesBadOptions() throws {
        var options = BundleFixtures.options
        options.holdout = 0.95
        let data = BundleFixtures.data
        #expect(throws: DetectionError.self) {
            try TrainingPipeline.fit(
                transactions: data.transactions, labels: data.labels, options: options, version: "x",
                data: BundleFixtures.source)
        }
        let order = TrainingPipeline.timeOrder(data.transactions)
        #expect(zip(order, order.dropFirst()).allSatisfy { data.transactions[$0].timestampMillis <= data.transactions[$1].timestampMillis })
        #expect(TrainingPipeline.defaultVersion().count == 16)
    }
}
