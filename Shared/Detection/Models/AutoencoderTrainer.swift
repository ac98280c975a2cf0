/// Mini-batch Adam training of an ``AutoencoderNetwork`` on the MSE loss, with early stopping.
///
/// Each batch is split into a fixed number of row partitions (``partitions``) computed concurrently; their gradients
/// are summed in partition order before the Adam step. The partition never depends on the core count, so a seed
/// gives bit-identical weights on any machine and run. All buffers are allocated once up front; the batch loop
/// allocates nothing.
struct AutoencoderTrainer {
    /// Row partitions per batch. Two matches the target machine; the result does not depend on the core count.
    static let partitions = 2

    private(set) var network: AutoencoderNetwork
    private let configuration: Autoencoder.Configuration
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

    /// Runs the epochs; returns the history. `network` holds the best weights afterwards.
    mutating func run(progress: ((Int, Int, Double, Double?) -> Void)?) -> Autoencoder.TrainingHistory {
        let workspace = TrainingWorkspace(network: network, batchSize: configuration.batchSize)
        var adam = AdamState(count: network.parameters.count, learningRate: Float(configuration.learningRate))
        var history = Autoencoder.TrainingHistory(trainingLoss: [], validationLoss: [], bestEpoch: 1, stoppedEarly: false)
        var best = network.parameters
        var bestLoss = Double.infinity
        var epochsWithoutImprovement = 0

        for epoch in 1...configuration.epochs {
            shuffle(&trainingRows, using: &rng)
            let trainingLoss = runEpoch(workspace: workspace, adam: &adam)
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
    private mutating func runEpoch(workspace: TrainingWorkspace, adam: inout AdamState) -> Double {
        let batchSize = configuration.batchSize
        let d = data.columns
        var lossSum = 0.0
        var start = 0
        let net = network
        network.parameters.withUnsafeMutableBufferPointer { parameters in
            guard let parameters = parameters.baseAddress else { return }
            workspace.refreshTransposed(net, parameters: parameters)
            trainingRows.withUnsafeBufferPointer { rows in
                data.withUnsafeValues { values in
                    guard let values = values.baseAddress, let rows = rows.baseAddress else { return }
                    while start < trainingRows.count {
                        let count = min(batchSize, trainingRows.count - start)
                        let scale = 2 / Float(count * d)
                        let batchStart = start
                        ParallelRows.concurrentPerform(iterations: Self.partitions) { p in
                            let lo = count * p / Self.partitions
                            let hi = count * (p + 1) / Self.partitions
                            workspace.partition(p).computeGradient(
                                net, parameters: UnsafePointer(parameters), transposed: workspace.transposed,
                                transposedOffsets: workspace.transposedOffsets, values: values, rowIndices: rows + batchStart + lo, rows: hi - lo, scale: scale)
                        }
                        for p in 0..<Self.partitions { lossSum += workspace.partition(p).loss }
                        adam.step(parameters: parameters, gradients: workspace.gradients)
                        workspace.refreshTransposed(net, parameters: parameters)
                        start += count
                    }
                }
            }
        }
        return lossSum / Double(trainingRows.count * d)
    }

    /// Mean squared reconstruction error over the validation rows (summed in row order, so deterministic).
    private func validationLoss() -> Double {
        let model = Autoencoder(configuration: configuration, network: network)
        let subset = data.selecting(rows: validationRows.lazy.map { Int($0) })
        let errors = model.scores(subset)
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
