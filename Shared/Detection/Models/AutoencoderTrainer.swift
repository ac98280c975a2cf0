/// Mini-batch Adam training of an ``AutoencoderNetwork`` on the MSE loss, with early stopping.
///
/// Each batch is split into a fixed number of row partitions (``partitions``) computed concurrently; their gradients
/// are summed in partition order before the Adam step. The partition never depends on the core count, so a seed
/// gives bit-identical weights on any machine and run, with one training lane or two (see `runEpoch`). All buffers
/// are allocated once up front; the batch loop allocates nothing.
struct AutoencoderTrainer {
    /// Row partitions per batch. Two matches the target machine (and the two parties of ``LockstepBarrier``); the
    /// result does not depend on the core count.
    static let partitions = 2

    private(set) var network: AutoencoderNetwork
    private let configuration: Autoencoder.Configuration
    /// Input clipping bounds (see ``Autoencoder``).
    private let lower: [Float]
    private let upper: [Float]
    private let data: FeatureMatrix
    private var trainingRows: [Int32]
    private let validationRows: [Int32]
    private var rng: Xoshiro256StarStar

    init(data: FeatureMatrix, configuration: Autoencoder.Configuration) throws(DetectionError) {
        guard data.rows >= 2 else {
            throw DetectionError(.invalidArgument, "autoencoder needs at least 2 training rows, got \(data.rows)")
        }
        try data.requireFinite("training")
        self.configuration = configuration
        self.data = data
        (lower, upper) = Autoencoder.clippingBounds(data, quantile: configuration.clipQuantile)
        var rng = Xoshiro256StarStar(seed: configuration.seed)
        var network = AutoencoderNetwork(widths: [data.columns] + configuration.hiddenLayers + [data.columns])
        network.initialize(using: &rng)
        self.network = network

        var order = Array(0..<Int32(data.rows))
        shuffle(&order, using: &rng)
        let validationCount = min(data.rows - 1, Int(Double(data.rows) * configuration.validationFraction))
        // Sorted so validation and the first epoch's reads walk memory forwards.
        self.validationRows = order[0..<validationCount].sorted()
        self.trainingRows = order[validationCount...].sorted()
        self.rng = rng
    }

    /// The trained model (after ``run(progress:)``).
    var model: Autoencoder {
        Autoencoder(configuration: configuration, network: network, lower: lower, upper: upper)
    }

    /// Runs the epochs; returns the history. `network` holds the best weights afterwards.
    mutating func run(progress: ((Int, Int, Double, Double?) -> Void)?) -> Autoencoder.TrainingHistory {
        let workspace = TrainingWorkspace(network: network, batchSize: configuration.batchSize)
        let laneCount = ParallelRows.workerCount >= Self.partitions ? Self.partitions : 1
        let lanes = (0..<laneCount).map { _ in
            TrainingLane(network: network, learningRate: Float(configuration.learningRate))
        }
        var history = Autoencoder.TrainingHistory(trainingLoss: [], validationLoss: [], bestEpoch: 1, stoppedEarly: false)
        var best = network.parameters
        var bestLoss = Double.infinity
        var epochsWithoutImprovement = 0

        for epoch in 1...configuration.epochs {
            shuffle(&trainingRows, using: &rng)
            let trainingLoss = runEpoch(workspace: workspace, lanes: lanes)
            network.parameters = lanes[0].parameterArray(count: network.parameters.count)
            history.trainingLoss.append(trainingLoss)
            let monitored: Double
            if validationRows.isEmpty {
                monitored = trainingLoss
                progress?(epoch, configuration.epochs, trainingLoss, nil)
            } else {
                monitored = validationLoss()
                history.validationLoss.append(monitored)
                progress?(epoch, configuration.epochs, trainingLoss, monitored)
            }
            // A relative tolerance, so noise-level improvements do not keep training alive forever.
            if monitored < bestLoss * (1 - 1e-4) {
                bestLoss = monitored
                best = network.parameters
                history.bestEpoch = epoch
                epochsWithoutImprovement = 0
            } else {
                epochsWithoutImprovement += 1
                if epochsWithoutImprovement >= configuration.patience {
                    history.stoppedEarly = epoch < configuration.epochs
                    break
                }
            }
        }
        network.parameters = best
        return history
    }

    /// One pass over the shuffled training rows; returns the mean training loss.
    ///
    /// With two lanes, each computes one partition's gradient per batch on its own thread and the lanes meet at a
    /// barrier before both apply the same Adam step to their own weights: one meeting per batch and no serial
    /// section. With one lane, it computes both partitions in turn. Either way the arithmetic is the same.
    private func runEpoch(workspace: TrainingWorkspace, lanes: [TrainingLane]) -> Double {
        let batchSize = configuration.batchSize
        let d = data.columns
        let net = network
        let rowCount = trainingRows.count
        let partitionCount = Self.partitions
        var lossSum = 0.0
        trainingRows.withUnsafeBufferPointer { rowBuffer in
            data.withUnsafeValues { valueBuffer in
                lower.withUnsafeBufferPointer { lowerBuffer in
                    upper.withUnsafeBufferPointer { upperBuffer in
                        guard let rows = rowBuffer.baseAddress, let values = valueBuffer.baseAddress,
                            let lower = lowerBuffer.baseAddress, let upper = upperBuffer.baseAddress
                        else { return }
                        /// Runs every batch of lane `index`, calling `meet` between its gradients and its step.
                        func runLane(_ index: Int, meet: () -> Void) {
                            let lane = lanes[index]
                            let partitions = lanes.count == 1 ? 0..<partitionCount : index..<(index + 1)
                            var start = 0
                            var parity = 0
                            while start < rowCount {
                                let count = min(batchSize, rowCount - start)
                                let scale = 2 / Float(count * d)
                                for p in partitions {
                                    let lo = count * p / partitionCount
                                    let hi = count * (p + 1) / partitionCount
                                    workspace.losses[parity * partitionCount + p] = workspace.partition(p)
                                        .computeGradient(
                                            net, lane: lane, values: values, lower: lower, upper: upper,
                                            rowIndices: rows + start + lo, rows: hi - lo, scale: scale,
                                            gradient: workspace.gradients[parity][p])
                                }
                                meet()
                                lane.step(net, gradients: workspace.gradients[parity])
                                if index == 0 {
                                    for p in 0..<partitionCount {
                                        lossSum += workspace.losses[parity * partitionCount + p]
                                    }
                                }
                                start += count
                                parity ^= 1
                            }
                        }
                        if lanes.count == 1 {
                            runLane(0) {}
                        } else {
                            LockstepBarrier.runPair { party in runLane(party.index) { party.wait() } }
                        }
                    }
                }
            }
        }
        return lossSum / Double(rowCount * d)
    }

    /// The training loss (MSE against the clipped input) over the validation rows, summed in row order.
    private func validationLoss() -> Double {
        let model = self.model
        let subset = data.selecting(rows: validationRows.lazy.map { Int($0) })
        var errors = [Float](repeating: 0, count: subset.rows)
        errors.withUnsafeMutableBufferPointer { out in
            subset.withUnsafeValues { values in
                ParallelRows.forEachChunk(rows: subset.rows) { range in
                    model.scoreRows(values, rows: range, into: out.baseAddress, featureErrors: nil, mode: .trainingLoss)
                }
            }
        }
        var sum = 0.0
        for e in errors { sum += Double(e) }
        return sum / Double(max(1, errors.count))
    }
}

/// Fisher–Yates shuffle driven by the seeded generator (the standard library's shuffle may change between releases).
func shuffle(_ values: inout [Int32], using rng: inout Xoshiro256StarStar) {
    var i = values.count - 1
    while i > 0 {
        let j = rng.nextInt(below: i + 1)
        values.swapAt(i, j)
        i -= 1
    }
}
