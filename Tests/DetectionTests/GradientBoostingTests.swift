import Foundation
import Testing

@testable import Detection

@Suite struct GradientBoostingTests {
    /// Gaussian features; the label is x0 + x1² > 1.5 (a non-linear boundary), with `flip` of labels flipped.
    static func problem(rows: Int, seed: UInt64, flip: Double = 0) -> (FeatureMatrix, [Bool]) {
        let data = ModelFixtures.gaussian(rows: rows, columns: 5, seed: seed)
        var rng = Xoshiro256StarStar(seed: seed &+ 1000)
        let labels = (0..<rows).map { r in
            let truth = data[r, 0] + data[r, 1] * data[r, 1] > 1.5
            return rng.nextUnit() < flip ? !truth : truth
        }
        return (data, labels)
    }

    @Test func learnsASeparableProblem() throws {
        let (train, labels) = Self.problem(rows: 8000, seed: 1)
        let model = try GradientBoosting(fitting: train, labels: labels)
        let (test, truth) = Self.problem(rows: 4000, seed: 2)
        let p = model.probabilities(test)
        let accuracy = Double(zip(p, truth).filter { ($0.0 > 0.5) == $0.1 }.count) / Double(truth.count)
        #expect(accuracy > 0.96)
        let auc = try #require(Metrics.rocAUC(labels: truth, scores: p.map(Double.init)))
        #expect(auc > 0.99)
        #expect(model.treeCount >= 10)
    }

    @Test func sameSeedSameModelDifferentSeedDifferentModel() throws {
        let (data, labels) = Self.problem(rows: 3000, seed: 3)
        let options = GradientBoosting.Configuration(trees: 30, featureFraction: 0.6, rowFraction: 0.8, seed: 5)
        let a = try GradientBoosting(fitting: data, labels: labels, configuration: options)
        let b = try GradientBoosting(fitting: data, labels: labels, configuration: options)
        var other = options
        other.seed = 6
        let c = try GradientBoosting(fitting: data, labels: labels, configuration: other)
        #expect(a.fileBytes() == b.fileBytes())
        #expect(a.fileBytes() != c.fileBytes())
    }

    /// The histograms behind every split (summed per row chunk, the smaller child built and the larger one
    /// subtracted from its parent, level by level) must give each leaf the Newton step of exactly the rows that
    /// reach it: −ΣG / (ΣH + λ) × rate, checked on the first tree against sums over the rows themselves.
    @Test func firstTreeLeavesAreTheNewtonStepsOfTheirRows() throws {
        // More than 32,768 rows, so the histograms are summed in several chunks.
        let (data, labels) = Self.problem(rows: 70_000, seed: 9, flip: 0.05)
        for sampled in [false, true] {
            let options = GradientBoosting.Configuration(
                trees: 1, learningRate: 0.5, maxDepth: 4, rowFraction: sampled ? 0.7 : 1, validationFraction: 0)
            let model = try GradientBoosting(fitting: data, labels: labels, configuration: options)
            let margins = model.margins(data)
            let p = GradientBoosting.sigmoid(model.baseMargin)
            var leaves: [UInt32: (gradient: Double, hessian: Double, rows: Int)] = [:]
            for i in 0..<data.rows {
                var leaf = leaves[margins[i].bitPattern] ?? (0, 0, 0)
                leaf.gradient += Double(p - (labels[i] ? 1 : 0))
                leaf.hessian += Double(p * (1 - p))
                leaf.rows += 1
                leaves[margins[i].bitPattern] = leaf
            }
            #expect(leaves.count >= 8)
            guard !sampled else { continue }  // a sample's leaves hold the Newton steps of the sampled rows only
            for (margin, leaf) in leaves {
                let expected = -leaf.gradient / (leaf.hessian + 1) * 0.5
                let got = Double(Float(bitPattern: margin) - model.baseMargin)
                #expect(abs(got - expected) <= 1e-4 * max(1, abs(expected)), "leaf of \(leaf.rows) rows")
            }
        }
    }

    @Test func earlyStoppingKeepsTheBestRound() throws {
        // Noisy labels and deep trees overfit quickly: validation loss turns up long before 500 rounds.
        let (data, labels) = Self.problem(rows: 3000, seed: 4, flip: 0.3)
        let options = GradientBoosting.Configuration(
            trees: 500, learningRate: 0.3, maxDepth: 6, minChildWeight: 0, earlyStoppingRounds: 10)
        let model = try GradientBoosting(fitting: data, labels: labels, configuration: options)
        let history = model.history
        #expect(history.stoppedEarly)
        #expect(history.validationLoss.count < 500)
        #expect(history.validationLoss.count == history.bestRound + 10)
        #expect(model.treeCount == history.bestRound)
        let best = try #require(history.validationLoss.min())
        #expect(history.validationLoss[history.bestRound - 1] == best)
    }

    @Test func rowMarginEqualsBatchMarginBitForBit() throws {
        let (data, labels) = Self.problem(rows: 20_000, seed: 5)
        let model = try GradientBoosting(fitting: data, labels: labels, configuration: .init(trees: 50))
        let batch = model.margins(data)
        // Every row: rows inside the 16-row blocks and the rows after a chunk's last full block walk differently.
        var mismatches = 0
        for i in 0..<data.rows {
            let single = ModelFixtures.row(data, i).withUnsafeBufferPointer { model.margin($0) }
            if single.bitPattern != batch[i].bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
        for i in stride(from: 0, to: data.rows, by: 331) {
            let both = ModelFixtures.row(data, i).withUnsafeBufferPointer { model.marginAndContributions($0) }
            #expect(both.margin.bitPattern == batch[i].bitPattern)
        }
        // A batch of another size (fewer than 16 rows, then one block plus a rest) gives the same margins.
        for count in [1, 7, 16, 21] {
            #expect(model.margins(data.selecting(rows: 100..<(100 + count))) == Array(batch[100..<(100 + count)]))
        }
    }

    @Test func contributionsSumToTheMargin() throws {
        let (data, labels) = Self.problem(rows: 4000, seed: 6)
        let model = try GradientBoosting(fitting: data, labels: labels)
        for i in stride(from: 0, to: data.rows, by: 97) {
            let (margin, contributions) = ModelFixtures.row(data, i).withUnsafeBufferPointer {
                model.marginAndContributions($0)
            }
            #expect(contributions.count == 5)
            #expect(abs(model.bias + contributions.reduce(0, +) - margin) < 1e-3)
            // Features 2…4 carry no signal: the credit goes mostly to 0 and 1.
            let signal = abs(contributions[0]) + abs(contributions[1])
            let noise = contributions[2...].map(abs).reduce(0, +)
            #expect(signal >= noise || abs(margin - model.bias) < 0.5)
        }
    }

    @Test func weightsOfZeroLeaveRowsOut() throws {
        let (data, labels) = Self.problem(rows: 3000, seed: 7)
        // Rows 1000..<3000 carry flipped labels but weight 0: the model must match one trained without them.
        let flipped = labels.enumerated().map { $0.offset < 1000 ? $0.element : !$0.element }
        let weights = (0..<3000).map { Float($0 < 1000 ? 1 : 0) }
        let options = GradientBoosting.Configuration(trees: 40, validationFraction: 0)
        let weighted = try GradientBoosting(fitting: data, labels: flipped, weights: weights, configuration: options)
        let plain = try GradientBoosting(
            fitting: data.selecting(rows: 0..<1000), labels: Array(labels.prefix(1000)), configuration: options)
        #expect(weighted.margins(data) == plain.margins(data))
    }

    @Test func fileRoundTripAndRefusalOfDamagedFiles() throws {
        let (data, labels) = Self.problem(rows: 2000, seed: 8)
        let model = try GradientBoosting(fitting: data, labels: labels, configuration: .init(trees: 20))
        let bytes = model.fileBytes()
        let loaded = try GradientBoosting(fileBytes: bytes, name: "gb.bin")
        #expect(loaded == model)
        #expect(loaded.margins(data) == model.margins(data))

        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(throws: DetectionError.self) { try GradientBoosting(fileBytes: flipped, name: "gb.bin") }
        let truncated = Array(bytes.dropLast(9))
        let error = #expect(throws: DetectionError.self) { try GradientBoosting(fileBytes: truncated, name: "gb.bin") }
        #expect(error?.code == .corruptModel)
        #expect(error?.message.contains("gb.bin") == true)
        var magic = bytes
        magic[0] = UInt8(ascii: "X")
        #expect(throws: DetectionError.self) { try GradientBoosting(fileBytes: magic, name: "gb.bin") }

        // A well-formed container around an out-of-range split feature is refused too.
        var payload = Array(bytes[ModelFile.headerSize..<(bytes.count - ModelFile.trailerSize)])
        let innerCount = (1 << model.depth) - 1
        let featureOffset = payload.count - model.treeCount * (innerCount * 12 + (innerCount + 1) * 4)
        payload.replaceSubrange(featureOffset..<(featureOffset + 4), with: [99, 0, 0, 0])
        let forged = ModelFile.encode(magic: GradientBoosting.fileMagic, version: 1, payload: payload)
        let forgedError = #expect(throws: DetectionError.self) {
            try GradientBoosting(fileBytes: forged, name: "gb.bin")
        }
        #expect(forgedError?.message.contains("feature 99") == true)
    }

    @Test func refusesOneClassAndBadOptions() throws {
        let data = ModelFixtures.gaussian(rows: 100, columns: 3, seed: 9)
        #expect(throws: DetectionError.self) {
            try GradientBoosting(fitting: data, labels: [Bool](repeating: false, count: 100))
        }
        #expect(throws: DetectionError.self) {
            try GradientBoosting(
                fitting: data, labels: (0..<100).map { $0 % 2 == 0 }, configuration: .init(maxDepth: 11))
        }
        #expect(throws: DetectionError.self) {
            try GradientBoosting(fitting: data, labels: [true, false])
        }
    }
}
