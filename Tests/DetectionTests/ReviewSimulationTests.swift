import Domain
import Foundation
import Testing

@testable import Detection

@Suite struct ReviewSimulationTests {
    @Test func simulatedReviewRunsTheProtocolAndWritesItsReport() throws {
        let data = try TransactionGenerator(
            configuration: GeneratorConfiguration(count: 8000, users: 60, anomalyRate: 0.03, seed: 21)
        ).generate()
        var options = TrainingOptions(isolationForest: .init(trees: 40), autoencoder: .init(epochs: 3), seed: 4)
        options.gradientBoosting.trees = 100
        let outcome = try ReviewSimulation.run(
            transactions: data.transactions, labels: data.labels, budget: 200, options: options,
            data: BundleFixtures.source)
        #expect(outcome.trainingRows == 4000)
        #expect(outcome.reviewRows == 1600)
        #expect(outcome.evaluationRows == 2400)
        #expect(outcome.reviewed == 200)
        // The reviewed alerts are the review period's top: far richer in fraud than its 3 %.
        #expect(outcome.reviewedFraud > 30)
        #expect(outcome.budgetInEvaluation == 300)
        let names = outcome.models.map(\.name)
        #expect(names.contains("gradient_boosting") && names.contains("unsupervised_ensemble"))
        let blend = try #require(outcome.bundle.manifest.supervised)
        #expect(blend.labels.matched == 200)
        let final = try #require(outcome.models.first { $0.name == "ensemble" }?.result.rocAUC)
        #expect(final > 0.8)
        #expect(Set(outcome.recallAtBudget.keys).isSuperset(of: ["ensemble", "unsupervised_ensemble"]))
        #expect(outcome.summary.contains { $0.hasPrefix("PR AUC") })

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let json = directory.file("sim.json")
        try outcome.write(reportDirectory: directory.file("report"), jsonPath: json, title: "t", notes: ["n"])
        let record =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        #expect(Set(record?.keys.map { $0 } ?? []) == ["protocol", "models", "recall_at_budget", "blend"])
        let html = try String(contentsOfFile: directory.file("report") + "/index.html", encoding: .utf8)
        #expect(html.contains("with labels"))
    }

    @Test func sparkovProfileInjectsRareCardFraudInBursts() throws {
        let data = try TransactionGenerator(
            configuration: GeneratorConfiguration(
                count: 20_000, users: 100, anomalyRate: 0.006, seed: 3, profile: .sparkov)
        ).generate()
        let labels = data.labels
        let fraud = labels.indices.filter { labels[$0].isAnomaly }
        #expect(fraud.count == 120)
        #expect(fraud.allSatisfy { labels[$0].anomalyType == "card_fraud" })
        // Bursts: far fewer cards than fraud rows.
        let transactions = data.transactions
        let cards = Set(fraud.map { transactions[$0].userID })
        #expect(cards.count * 3 <= fraud.count + 10)
        let night = fraud.filter {
            let hour = Int(transactions[$0].timestampMillis / 3_600_000 % 24)
            return hour >= 22 || hour < 4
        }
        #expect(Double(night.count) / Double(fraud.count) > 0.6)
    }
}
