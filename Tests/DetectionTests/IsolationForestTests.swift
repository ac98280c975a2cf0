import Foundation
import Testing

@testable import Detection

@Suite struct IsolationForestTests {
    @Test func flagsAnObviousOutlier() throws {
        var values = ModelFixtures.gaussian(rows: 2000, columns: 4, seed: 1).values
        values.append(contentsOf: [8, -8, 8, 8])
        let data = FeatureMatrix(columns: 4, values: values)
        let forest = try IsolationForest(fitting: data)
        let scores = forest.scores(data)
        let outlier = scores[2000]
        #expect(outlier > 0.7)
        #expect(scores.dropLast().allSatisfy { $0 < outlier })
        #expect(scores.dropLast().reduce(0, +) / 2000 < 0.5)
    }

    @Test func extendedForestFlagsAnObviousOutlier() throws {
        var values = ModelFixtures.gaussian(rows: 2000, columns: 4, seed: 2).values
        values.append(contentsOf: [6, 6, -6, 6])
        let data = FeatureMatrix(columns: 4, values: values)
        let forest = try IsolationForest(fitting: data, configuration: .init(extensionLevel: 3))
        #expect(forest.isExtended)
        #expect(forest.coefficientsPerNode == 4)
        let scores = forest.scores(data)
        #expect(scores[2000] > 0.65)
        #expect(scores.dropLast().allSatisfy { $0 < scores[2000] })
    }

    @Test func goldenScores() throws {
        let forest = try IsolationForest(
            fitting: ModelFixtures.tiny, configuration: .init(trees: 10, subsampleSize: 8, seed: 7))
        let scores = forest.scores(ModelFixtures.tiny)
        let golden: [Float] = GoldenVectors.isolationForest
        #expect(scores.count == golden.count)
        for (got, want) in zip(scores, golden) { #expect(abs(got - want) <= 1e-6 * max(1, abs(want))) }
        let extended = try IsolationForest(
            fitting: ModelFixtures.tiny, configuration: .init(trees: 10, subsampleSize: 8, extensionLevel: 1, seed: 7))
        for (got, want) in zip(extended.scores(ModelFixtures.tiny), GoldenVectors.extendedIsolationForest) {
            #expect(abs(got - want) <= 1e-6 * max(1, abs(want)))
        }
    }

    @Test func sameSeedSameForestDifferentSeedDifferentForest() throws {
        let data = ModelFixtures.gaussian(rows: 3000, columns: 5, seed: 3)
        let a = try IsolationForest(fitting: data, configuration: .init(seed: 11))
        let b = try IsolationForest(fitting: data, configuration: .init(seed: 11))
        let c = try IsolationForest(fitting: data, configuration: .init(seed: 12))
        #expect(a.fileBytes() == b.fileBytes())
        #expect(a.fileBytes() != c.fileBytes())
    }

    @Test func rowScoreEqualsBatchScoreBitForBit() throws {
        let data = ModelFixtures.gaussian(rows: 20_000, columns: 6, seed: 4)
        for extensionLevel in [nil, 2] {
            let forest = try IsolationForest(fitting: data, configuration: .init(extensionLevel: extensionLevel))
            let batch = forest.scores(data)
            for i in stride(from: 0, to: data.rows, by: 997) {
                let single = ModelFixtures.row(data, i).withUnsafeBufferPointer { forest.score($0) }
                #expect(single.bitPattern == batch[i].bitPattern)
            }
            // A row's score does not depend on its neighbours: score a shuffled selection.
            let picked = [5, 19_999, 0, 17, 4242]
            let subset = forest.scores(data.selecting(rows: picked))
            for (k, i) in picked.enumerated() { #expect(subset[k].bitPattern == batch[i].bitPattern) }
        }
    }

    @Test func attributionPointsAtTheOutlyingFeatureAndSumsToOne() throws {
        var values = ModelFixtures.gaussian(rows: 3000, columns: 5, seed: 5).values
        values.append(contentsOf: [0, 0, 9, 0, 0])
        let data = FeatureMatrix(columns: 5, values: values)
        for extensionLevel in [nil, 1] {
            let forest = try IsolationForest(fitting: data, configuration: .init(extensionLevel: extensionLevel))
            let credit = ModelFixtures.row(data, 3000).withUnsafeBufferPointer { forest.attribution($0) }
            #expect(abs(credit.reduce(0, +) - 1) < 1e-4)
            #expect(credit.allSatisfy { $0 >= 0 })
            #expect(credit.firstIndex(of: credit.max() ?? 0) == 2)
        }
    }

    @Test func batchAttributionsEqualOneRowAttributionsBitForBit() throws {
        // 16-row blocks take the row-block walk, the 5-row tail and single rows the 8-tree walk.
        let data = ModelFixtures.gaussian(rows: 37, columns: 6, seed: 11)
        let forest = try IsolationForest(fitting: data, configuration: .init(trees: 45, subsampleSize: 32))
        let batch = forest.scoresAndAttributions(data)
        for i in 0..<data.rows {
            let single = ModelFixtures.row(data, i).withUnsafeBufferPointer { forest.scoreAndAttribution($0) }
            #expect(single.score.bitPattern == batch.scores[i].bitPattern)
            #expect(single.attribution.map(\.bitPattern) == batch.attributions[row: i].map(\.bitPattern), "row \(i)")
        }
    }

    @Test func scoresMatchTheLinkedTreesAfterReLayout() throws {
        // The perfect-tree scoring layout must give the classic definition's path lengths.
        let data = ModelFixtures.gaussian(rows: 500, columns: 3, seed: 6)
        let forest = try IsolationForest(fitting: data, configuration: .init(trees: 20, subsampleSize: 64))
        let scores = forest.scores(data)
        for i in 0..<50 {
            var total = 0.0
            for root in forest.treeRoots {
                var node = Int(root)
                while forest.left[node] != Int32(node) {
                    let f = Int(forest.splitFeature[node])
                    node = Int(forest.left[node]) + (data[i, f] > forest.threshold[node] ? 1 : 0)
                }
                total += Double(forest.pathLength[node])
            }
            let expected = Float(pow(2, -(total / 20) / AveragePathLength.c(64)))
            #expect(abs(scores[i] - expected) < 1e-5)
        }
    }

    @Test func refusesBadConfigurationsAndData() {
        let data = ModelFixtures.gaussian(rows: 10, columns: 2, seed: 1)
        #expect(throws: DetectionError.self) { try IsolationForest(fitting: data, configuration: .init(trees: 0)) }
        #expect(throws: DetectionError.self) {
            try IsolationForest(fitting: data, configuration: .init(subsampleSize: 1))
        }
        #expect(throws: DetectionError.self) { try IsolationForest(fitting: data, configuration: .init(maxDepth: 13)) }
        #expect(throws: DetectionError.self) {
            try IsolationForest(fitting: FeatureMatrix(columns: 2, values: [1, 2]))
        }
        #expect(throws: DetectionError.self) {
            try IsolationForest(fitting: FeatureMatrix(columns: 2, values: [1, 2, .nan, 3]))
        }
    }
}
