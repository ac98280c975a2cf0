import Detection
import Domain
import Foundation
import Testing

/// A bundle trained with analysts' labels (`txad train --labels`) served by the running system: `/predict` shows the
/// label model's score and `/models/info` the blend's threshold.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct LabelledModelTests {
    /// A model directory whose active bundle was trained with labels on every third row, and the generated rows.
    private static let prepared = Task<(directory: String, rows: [CSVRow]), any Error> {
        let root = NSTemporaryDirectory() + "txad-e2e-labelled-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let data = root + "/train.csv"
        try await TestModel.run(["generate", "--count", "6000", "--users", "60", "--seed", "12", "--out", data, "--quiet"])
        let reader = try CSVTransactionReader(path: data)
        var rows: [CSVRow] = []
        while let next = try reader.next() {
            if case .success(let row) = next { rows.append(row) }
        }
        var labels = "transaction_id,label\n"
        for row in rows.enumerated() where row.offset % 3 == 0 {
            labels += "\(row.element.transaction.transactionID),\(row.element.label?.isAnomaly == true ? "fraud" : "legitimate")\n"
        }
        try labels.write(toFile: root + "/labels.csv", atomically: true, encoding: .utf8)
        try await TestModel.run([
            "train", "--data", data, "--labels", root + "/labels.csv", "--output", root + "/models", "--version",
            "labelled-1", "--epochs", "2", "--holdout", "0", "--seed", "12", "--quiet",
        ])
        return (root + "/models", rows)
    }

    @Test func predictShowsTheSupervisedScoreAndModelInfoTheBlendThreshold() async throws {
        let (directory, rows) = try await Self.prepared.value
        let manifest = try ModelRegistry(root: directory).loadActive().manifest
        let blend = try #require(manifest.supervised)
        let cluster = try await LocalCluster(modelDirectory: directory)
        do {
            try await cluster.start()
            for row in rows.suffix(5) {
                let (data, status) = try await HTTP.post(
                    cluster.gatewayURL + "/predict", body: row.transaction.jsonData)
                #expect(status == 200)
                let scores = try #require(try HTTP.json(data)["scores"] as? [String: Any])
                let supervised = try #require(scores["supervised"] as? Double, "no supervised score in \(scores)")
                #expect(supervised >= 0 && supervised <= 1)
                #expect(scores["ensemble"] is Double && scores["isolation_forest"] is Double)
            }
            let (data, status) = try await HTTP.get(cluster.gatewayURL + "/models/info")
            #expect(status == 200)
            let info = try HTTP.json(data)
            #expect(info["version"] as? String == "labelled-1")
            let threshold = try #require(info["threshold"] as? Double)
            #expect(abs(threshold - blend.anomalyThreshold) < 1e-12)  // JSON keeps 16 significant digits
            #expect(blend.anomalyThreshold != manifest.ensemble.anomalyThreshold)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }
}
