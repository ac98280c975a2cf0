import Domain
import Testing

@testable import Detection

@Suite struct AnomalyScorerTests {
    static let scorer = AnomalyScorer(bundle: BundleFixtures.outcome.bundle)

    /// Feature vectors of the fixture data, as the preprocessing service would send them.
    static let vectors: [FeatureVector] = {
        let data = BundleFixtures.data
        let replay = FeatureReplay(priors: BundleFixtures.outcome.bundle.manifest.featurePriors).run(
            data.transactions, options: .init(keepRaw: true))
        let columns = replay.matrix.columns
        return (0..<data.count).map { i in
            FeatureVector(
                transactionID: data.transactions[i].transactionID, schemaVersion: FeatureSchema.current.version,
                values: replay.matrix[row: i].map(Double.init), rawValues: replay.raw[i].values, degraded: false)
        }.filter { $0.values.count == columns }
    }()

    @Test func aRowScoresTheSameAloneAsInsideABatchBitForBit() throws {
        let vectors = Self.vectors
        let batch = try Self.scorer.score(vectors)
        #expect(batch.count == vectors.count)
        for i in stride(from: 0, to: vectors.count, by: 97) {
            let alone = try #require(try Self.scorer.score([vectors[i]]).first)
            #expect(alone == batch[i])
            #expect(alone.ensemble.bitPattern == batch[i].ensemble.bitPattern)
        }
        let reversed = try Self.scorer.score(vectors.reversed())
        #expect(reversed.reversed() == batch)
    }

    @Test func scoresAreConsistentWithTheBundle() throws {
        let scores = try Self.scorer.score(Array(Self.vectors.prefix(500)))
        let calibration = Self.scorer.ensemble
        for score in scores {
            #expect((0...1).contains(score.ensemble))
            #expect(score.isAnomaly == (score.ensemble >= calibration.anomalyThreshold))
            #expect(score.riskLevel == calibration.risk.level(score.ensemble))
            #expect(score.isAnomaly == (score.riskLevel >= .medium))
            #expect(score.modelVersion == "fixture-1")
            let w = calibration.weights
            #expect(abs(score.ensemble - (w.isolationForest * score.isolationForest + w.autoencoder * score.autoencoder)) < 1e-12)
        }
    }

    @Test func contributionsAreNonNegativeAndSumToOne() throws {
        let matrix = try Self.scorer.scaled(FeatureMatrix(columns: FeatureSchema.current.count, values: Self.vectors[3].values.map(Float.init)))
        let row = Array(matrix[row: 0])
        let errors = row.withUnsafeBufferPointer { Self.scorer.bundle.autoencoder.scoreWithFeatureErrors($0).featureErrors }
        let strengths = row.withUnsafeBufferPointer { r in
            errors.withUnsafeBufferPointer { Self.scorer.contributions(scaledRow: r, featureErrors: $0) }
        }
        #expect(strengths.count == FeatureSchema.current.count)
        #expect(strengths.allSatisfy { $0 >= 0 })
        #expect(abs(strengths.reduce(0, +) - 1) < 1e-4)
    }

    @Test func refusesVectorsThatDoNotMatchTheSchema() throws {
        var wrongVersion = Self.vectors[0]
        wrongVersion.schemaVersion += 1
        var short = Self.vectors[0]
        short.values.removeLast()
        var notFinite = Self.vectors[0]
        notFinite.values[2] = .nan
        var rawShort = Self.vectors[0]
        rawShort.rawValues.removeLast()
        for vector in [wrongVersion, short, notFinite, rawShort] {
            #expect(throws: DetectionError.self) { try Self.scorer.score([Self.vectors[1], vector]) }
        }
    }
}
