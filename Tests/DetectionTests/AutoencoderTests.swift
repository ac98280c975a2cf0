import Testing

@testable import Detection

@Suite struct AutoencoderTests {
    static let tinyConfiguration = Autoencoder.Configuration(
        hiddenLayers: [4, 2, 4], epochs: 5, batchSize: 4, learningRate: 0.01, validationFraction: 0, seed: 7)

    @Test func goldenScores() throws {
        let (model, history) = try Autoencoder.train(ModelFixtures.tiny, configuration: Self.tinyConfiguration)
        #expect(history.trainingLoss.count == 5)
        let scores = model.scores(ModelFixtures.tiny)
        #expect(scores.count == GoldenVectors.autoencoder.count)
        for (got, want) in zip(scores, GoldenVectors.autoencoder) {
            #expect(abs(got - want) <= 1e-5 * max(1, abs(want)))
        }
    }

    @Test func learnsALowRankDataSet() throws {
        let data = ModelFixtures.lowRank(rows: 6000, columns: 8, rank: 2, noise: 0.05, seed: 1)
        // A plain autoencoder (no clipping, no cap): the classic reconstruction behaviour.
        let (model, history) = try Autoencoder.train(
            data, configuration: .init(epochs: 30, patience: 5, clipQuantile: 0, errorCap: 0))
        let first = try #require(history.trainingLoss.first)
        let last = try #require(history.trainingLoss.last)
        #expect(last < first / 5)
        let onManifold = model.scores(ModelFixtures.lowRank(rows: 500, columns: 8, rank: 2, noise: 0.05, seed: 1))
        let offManifold = model.scores(ModelFixtures.gaussian(rows: 500, columns: 8, seed: 2))
        let meanOn = onManifold.reduce(0, +) / 500
        let meanOff = offManifold.reduce(0, +) / 500
        #expect(meanOff > 5 * meanOn)
    }

    @Test func clippingExposesRowsThatAreExtremeAlongTheLearnedDirections() throws {
        // Rows on a line: a plain autoencoder reconstructs a far point on the same line almost perfectly; with
        // winsorised inputs the part beyond the training bulk is unexplained and scores high.
        let data = ModelFixtures.lowRank(rows: 6000, columns: 6, rank: 1, noise: 0.02, seed: 4)
        let typical = ModelFixtures.row(data, 0)
        let far = typical.map { $0 * 8 }
        let plain = try Autoencoder.train(data, configuration: .init(epochs: 10, clipQuantile: 0, errorCap: 0)).0
        let robust = try Autoencoder.train(data, configuration: .init(epochs: 10)).0
        let plainFar = far.withUnsafeBufferPointer { plain.score($0) }
        let robustFar = far.withUnsafeBufferPointer { robust.score($0) }
        let robustTypical = typical.withUnsafeBufferPointer { robust.score($0) }
        #expect(robustFar > 10 * plainFar)
        #expect(robustFar > 10 * robustTypical)
        // The cap bounds each feature's term.
        let wild = [Float](repeating: 1000, count: 6)
        let capped = wild.withUnsafeBufferPointer { robust.scoreWithFeatureErrors($0) }
        #expect(capped.featureErrors.allSatisfy { $0 <= 9 })
        #expect(capped.score <= 9)
    }

    @Test func backwardPassMatchesFiniteDifferences() throws {
        let widths = [3, 5, 2, 4, 3]
        var network = AutoencoderNetwork(widths: widths)
        var rng = Xoshiro256StarStar(seed: 9)
        network.initialize(using: &rng)
        // Non-zero biases exercise the bias gradients too.
        for l in 0..<network.layerCount {
            for j in 0..<widths[l + 1] { network.parameters[network.biasOffsets[l] + j] = Float(rng.nextGaussian()) * 0.1 }
        }
        let data = ModelFixtures.gaussian(rows: 6, columns: 3, seed: 4)
        let rows = Array(0..<Int32(6))
        let lower = [Float](repeating: -.infinity, count: 3)
        let upper = [Float](repeating: .infinity, count: 3)
        let workspace = TrainingWorkspace(network: network, batchSize: 2 * 6)
        let lane = TrainingLane(network: network, learningRate: 0.001)
        let gradient = workspace.gradients[0][0]
        let scale = 2 / Float(6 * 3)
        data.withUnsafeValues { values in
            rows.withUnsafeBufferPointer { indices in
                _ = workspace.partition(0).computeGradient(
                    network, lane: lane, values: values.baseAddress!, lower: lower, upper: upper,
                    rowIndices: indices.baseAddress!, rows: 6, scale: scale, gradient: gradient)
            }
        }
        var checked = 0
        for l in 0..<network.layerCount {
            var candidates: [Int] = []
            for i in 0..<widths[l] {
                for j in 0..<widths[l + 1] { candidates.append(network.weightOffsets[l] + i * network.paddedWidths[l + 1] + j) }
            }
            for j in 0..<widths[l + 1] { candidates.append(network.biasOffsets[l] + j) }
            for index in candidates {
                let analytic = Double(gradient[index])
                let h = 1e-5
                let numeric =
                    (Self.loss(network, data, changing: index, by: h) - Self.loss(network, data, changing: index, by: -h))
                    / (2 * h)
                #expect(abs(analytic - numeric) <= 1e-4 + 1e-3 * abs(numeric), "parameter \(index) of layer \(l)")
                checked += 1
            }
        }
        #expect(checked == network.logicalParameterCount)
    }

    /// The batch's mean squared reconstruction error in Double, with one parameter nudged.
    static func loss(_ network: AutoencoderNetwork, _ data: FeatureMatrix, changing index: Int, by delta: Double) -> Double {
        let widths = network.widths
        var total = 0.0
        for r in 0..<data.rows {
            var activation = (0..<widths[0]).map { Double(data[r, $0]) }
            for l in 0..<network.layerCount {
                var next = [Double](repeating: 0, count: widths[l + 1])
                for j in 0..<widths[l + 1] {
                    let b = network.biasOffsets[l] + j
                    var sum = Double(network.parameters[b]) + (b == index ? delta : 0)
                    for i in 0..<widths[l] {
                        let w = network.weightOffsets[l] + i * network.paddedWidths[l + 1] + j
                        sum += activation[i] * (Double(network.parameters[w]) + (w == index ? delta : 0))
                    }
                    next[j] = l < network.layerCount - 1 && sum < 0 ? sum * Double(DenseKernels.leak) : sum
                }
                activation = next
            }
            for c in 0..<widths[0] {
                let e = activation[c] - Double(data[r, c])
                total += e * e
            }
        }
        return total / Double(data.rows * widths[0])
    }

    @Test func sameSeedGivesIdenticalWeights() throws {
        let data = ModelFixtures.lowRank(rows: 3000, columns: 10, rank: 3, noise: 0.1, seed: 3)
        let configuration = Autoencoder.Configuration(epochs: 3, seed: 5)
        let (a, _) = try Autoencoder.train(data, configuration: configuration)
        let (b, _) = try Autoencoder.train(data, configuration: configuration)
        var other = configuration
        other.seed = 6
        let (c, _) = try Autoencoder.train(data, configuration: other)
        #expect(a.fileBytes() == b.fileBytes())
        #expect(a.fileBytes() != c.fileBytes())
    }

    @Test func rowScoreEqualsBatchScoreBitForBit() throws {
        let data = ModelFixtures.lowRank(rows: 20_000, columns: 13, rank: 3, noise: 0.1, seed: 8)
        let (model, _) = try Autoencoder.train(data, configuration: .init(epochs: 1))
        let batch = model.scores(data)
        let withErrors = model.scoresWithFeatureErrors(data)
        for i in stride(from: 0, to: data.rows, by: 1009) {
            let row = ModelFixtures.row(data, i)
            let single = row.withUnsafeBufferPointer { model.score($0) }
            let detailed = row.withUnsafeBufferPointer { model.scoreWithFeatureErrors($0) }
            #expect(single.bitPattern == batch[i].bitPattern)
            #expect(withErrors.scores[i].bitPattern == batch[i].bitPattern)
            #expect(detailed.featureErrors == Array(withErrors.featureErrors[row: i]))
            #expect(abs(detailed.featureErrors.reduce(0, +) / 13 - single) < 1e-5 * max(1, single))
            #expect(detailed.score.bitPattern == single.bitPattern)
        }
    }

    @Test func stopsEarlyAndKeepsTheBestEpoch() throws {
        let data = ModelFixtures.gaussian(rows: 2000, columns: 6, seed: 12)
        let (_, history) = try Autoencoder.train(
            data, configuration: .init(epochs: 60, learningRate: 0.01, validationFraction: 0.2, patience: 2))
        #expect(history.stoppedEarly)
        #expect(history.trainingLoss.count < 60)
        let best = try #require(history.validationLoss.min())
        #expect(history.validationLoss[history.bestEpoch - 1] == best)
    }

    @Test func refusesBadConfigurationsAndData() {
        let data = ModelFixtures.gaussian(rows: 10, columns: 2, seed: 1)
        for configuration in [
            Autoencoder.Configuration(hiddenLayers: []), .init(epochs: 0), .init(batchSize: 0), .init(learningRate: -1),
            .init(validationFraction: 0.95), .init(patience: 0),
        ] {
            #expect(throws: DetectionError.self) { try Autoencoder.train(data, configuration: configuration) }
        }
        #expect(throws: DetectionError.self) { try Autoencoder.train(FeatureMatrix(columns: 2, values: [1, .infinity])) }
    }
}
