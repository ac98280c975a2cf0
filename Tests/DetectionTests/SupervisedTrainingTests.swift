import Domain
import Foundation
import Testing

@testable import Detection

@Suite struct SupervisedTrainingTests {
    /// Labels for every third training-period row of the fixture data (ground truth), as an analyst would give.
    static func labels(every step: Int = 3) -> ReviewLabels {
        let data = BundleFixtures.data
        var labels = ReviewLabels()
        let transactions = data.transactions
        let truth = data.labels
        for i in stride(from: 0, to: transactions.count * 7 / 10, by: step) {
            labels.set(transactions[i].transactionID, fraud: truth[i].isAnomaly)
        }
        return labels
    }

    static let outcome: TrainingPipeline.Outcome = {
        var given = Self.labels()
        given.set("no-such-transaction", fraud: true)
        return try! TrainingPipeline.fit(
            transactions: BundleFixtures.data.transactions, labels: BundleFixtures.data.labels,
            options: BundleFixtures.options, version: "supervised-1", data: BundleFixtures.source,
            reviewLabels: given)
    }()

    @Test func labelsImproveTheFinalScoreAndAreRecorded() throws {
        let outcome = Self.outcome
        #expect(outcome.unknownLabelIDs == ["no-such-transaction"])
        let blend = try #require(outcome.bundle.manifest.supervised)
        #expect(blend.labels.given == Self.labels().count + 1)
        #expect(blend.labels.matched == Self.labels().count)
        #expect(blend.labels.fraud + blend.labels.legitimate == blend.labels.matched)
        #expect(blend.labels.boostingRows + blend.labels.stackingRows == blend.labels.matched)
        #expect(blend.labels.unlabelledRows == 0)
        // Every third row is labelled: the blend's period holds about two unlabelled rows per label, all in its fit.
        let blendUnlabelled = try #require(blend.labels.blendUnlabelledRows)
        #expect(blendUnlabelled >= blend.labels.stackingRows && blendUnlabelled <= 3 * blend.labels.stackingRows)
        #expect(outcome.bundle.gradientBoosting != nil)
        let evaluation = try #require(outcome.evaluation)
        #expect(
            evaluation.map(\.name) == [
                "isolation_forest", "autoencoder", "ensemble", "gradient_boosting", "unsupervised_ensemble",
            ])
        let final = try #require(evaluation[2].result.prAUC)
        let unsupervised = try #require(evaluation[4].result.prAUC)
        #expect(final > unsupervised)
        #expect(final > 0.6)
    }

    @Test func withoutLabelsTheFinalScoreIsTheUnsupervisedEnsemble() throws {
        let plain = BundleFixtures.outcome
        #expect(plain.bundle.manifest.supervised == nil)
        #expect(plain.bundle.gradientBoosting == nil)
        let scorer = AnomalyScorer(bundle: plain.bundle)
        let replay = FeatureReplay(priors: plain.bundle.manifest.featurePriors).run(BundleFixtures.data.transactions)
        let batch = try scorer.scores(unscaled: replay.matrix.selecting(rows: 0..<500))
        #expect(batch.ensemble == batch.unsupervised)
        #expect(batch.supervised == nil)
        // Same seed, no labels: the same models as before labels existed.
        let again = try TrainingPipeline.fit(
            transactions: BundleFixtures.data.transactions, labels: BundleFixtures.data.labels,
            options: BundleFixtures.options, version: "fixture-1", data: BundleFixtures.source)
        #expect(again.bundle.manifest.ensemble == plain.bundle.manifest.ensemble)
    }

    @Test func bundleRoundTripScoresAlikeWithReasons() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("bundle")
        let written = try Self.outcome.bundle.write(to: path)
        #expect(written.formatVersion == 3)
        #expect(written.files[ModelBundle.gradientBoostingFile] != nil)
        let loaded = try ModelBundle.load(from: path)
        #expect(loaded.gradientBoosting == Self.outcome.bundle.gradientBoosting)
        #expect(loaded.manifest.supervised == Self.outcome.bundle.manifest.supervised)

        let scorer = AnomalyScorer(bundle: loaded)
        let transactions = BundleFixtures.data.transactions
        let replay = FeatureReplay(priors: loaded.manifest.featurePriors).run(
            transactions, options: .init(keepRaw: true))
        let rows = Array(stride(from: 0, to: transactions.count, by: 37))
        let matrix = try scorer.scaled(replay.matrix.selecting(rows: rows))
        let batch = scorer.scores(scaled: matrix)
        let explained = scorer.explain(scaled: matrix) { i in (transactions[rows[i]].transactionID, replay.raw[rows[i]])
        }
        for (i, score) in explained.enumerated() {
            #expect(score.ensemble == batch.ensemble[i])
            #expect(score.supervised == batch.supervised?[i])
            #expect(score.isAnomaly == (score.ensemble >= scorer.anomalyThreshold))
        }
        #expect(explained.contains { $0.isAnomaly && !$0.reasons.isEmpty })

        // The trees' file damaged: the bundle is refused.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path + "/" + ModelBundle.gradientBoostingFile)))
        bytes[bytes.count / 2] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + ModelBundle.gradientBoostingFile))
        let error = #expect(throws: DetectionError.self) { try ModelBundle.load(from: path) }
        #expect(error?.code == .corruptModel)
    }

    @Test func alertBudgetSetsTheThreshold() throws {
        var options = BundleFixtures.options
        options.alertsPerDay = 2
        let outcome = try TrainingPipeline.fit(
            transactions: BundleFixtures.data.transactions, labels: BundleFixtures.data.labels, options: options,
            version: "budget", data: BundleFixtures.source)
        let budget = try #require(outcome.bundle.manifest.alertBudget)
        #expect(budget.alertsPerDay == 2)
        #expect(budget.trainingDays > 50)
        let expected = try #require(budget.expectedDailyAlerts["medium"])
        #expect(abs(expected - 2) < 0.5)
        #expect(budget.thresholds["medium"] == outcome.bundle.manifest.ensemble.anomalyThreshold)
        options.alertsPerDay = 1_000_000
        #expect(throws: DetectionError.self) {
            try TrainingPipeline.fit(
                transactions: BundleFixtures.data.transactions, labels: BundleFixtures.data.labels, options: options,
                version: "budget", data: BundleFixtures.source)
        }
    }

    @Test func labelFileIsReadAndJoined() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("labels.csv")
        try Data("transaction_id,label\nt1,fraud\nt2,legitimate\nt3,1\nt4,0\nt9,FRAUD\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        let labels = try ReviewLabels.read(path: path)
        #expect(labels.byTransaction == ["t1": true, "t2": false, "t3": true, "t4": false, "t9": true])
        let transactions = ["t1", "t2", "t3", "t4", "t5"].map {
            Transaction(transactionID: $0, userID: "u", timestampMillis: 0, amount: 1)
        }
        let (aligned, unknown) = labels.join(transactions)
        #expect(aligned == [true, false, true, false, nil])
        #expect(unknown == ["t9"])

        try Data("transaction_id,label\nt1,maybe\n".utf8).write(to: URL(fileURLWithPath: path))
        let bad = #expect(throws: DetectionError.self) { try ReviewLabels.read(path: path) }
        #expect(bad?.message.contains("line 2") == true)
        try Data("id,label\nt1,1\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: DetectionError.self) { try ReviewLabels.read(path: path) }
    }

    @Test func tooFewLabelsAreRefusedWithAReason() throws {
        var labels = ReviewLabels()
        labels.set(BundleFixtures.data.transactions[0].transactionID, fraud: true)
        let error = #expect(throws: DetectionError.self) {
            try TrainingPipeline.fit(
                transactions: BundleFixtures.data.transactions, labels: BundleFixtures.data.labels,
                options: BundleFixtures.options, version: "few", data: BundleFixtures.source, reviewLabels: labels)
        }
        #expect(error?.message.contains("at least 2 fraud") == true)
    }

    @Test func stackingLearnsWeights() throws {
        var rng = Xoshiro256StarStar(seed: 3)
        var rows: [[Double]] = []
        var labels: [Bool] = []
        for _ in 0..<2000 {
            let x = [rng.nextGaussian(), rng.nextGaussian()]
            let p = 1 / (1 + exp(-(-1 + 2 * x[0])))
            rows.append(x)
            labels.append(rng.nextUnit() < p)
        }
        let model = try LogisticStacking(fitting: rows, labels: labels, inputs: ["a", "b"], l2: 0.01)
        #expect(abs(model.intercept + 1) < 0.25)
        #expect(abs(model.coefficients[0] - 2) < 0.3)
        #expect(abs(model.coefficients[1]) < 0.2)
    }
}
