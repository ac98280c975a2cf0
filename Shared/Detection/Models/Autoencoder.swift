/// A dense autoencoder (default input→32→16→8→16→32→input) scoring rows by reconstruction error.
///
/// Hidden layers use leaky ReLU, the output is linear. Score = mean squared reconstruction error over the
/// features; the per-feature squared errors are available for reasons. Training (``init(fitting:configuration:progress:)``)
/// uses mini-batch Adam on the MSE loss with early stopping on a seeded validation split.
///
/// A row's score depends only on that row: scoring alone or inside any batch gives bit-identical results.
public struct Autoencoder: Sendable, Hashable {
    /// Training options.
    public struct Configuration: Sendable, Hashable, Codable {
        /// Hidden layer widths between input and output (default 32, 16, 8, 16, 32).
        public var hiddenLayers: [Int]
        /// Maximum number of passes over the training rows (default 20).
        public var epochs: Int
        /// Rows per Adam step (default 256).
        public var batchSize: Int
        /// Adam step size (default 0.001).
        public var learningRate: Double
        /// Share of rows held out (at random, seeded) to decide early stopping (default 0.1; 0 disables it).
        public var validationFraction: Double
        /// Epochs without a validation improvement before training stops (default 3).
        public var patience: Int
        /// Seed of initialisation, validation split and shuffling.
        public var seed: UInt64

        /// The defaults of SPEC §3.
        public init(
            hiddenLayers: [Int] = [32, 16, 8, 16, 32], epochs: Int = 20, batchSize: Int = 256,
            learningRate: Double = 0.001, validationFraction: Double = 0.1, patience: Int = 3, seed: UInt64 = 42
        ) {
            self.hiddenLayers = hiddenLayers
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.validationFraction = validationFraction
            self.patience = patience
            self.seed = seed
        }

        enum CodingKeys: String, CodingKey {
            case hiddenLayers = "hidden_layers"
            case epochs
            case batchSize = "batch_size"
            case learningRate = "learning_rate"
            case validationFraction = "validation_fraction"
            case patience, seed
        }

        /// Throws ``DetectionError/Code/invalidArgument`` naming the first option out of range.
        public func validate() throws(DetectionError) {
            guard !hiddenLayers.isEmpty, hiddenLayers.allSatisfy({ (1...4096).contains($0) }) else {
                throw DetectionError(.invalidArgument, "hidden layers must be 1 to 4096 units each, got \(hiddenLayers)")
            }
            guard (1...10_000).contains(epochs) else {
                throw DetectionError(.invalidArgument, "epochs must be in 1...10000, got \(epochs)")
            }
            guard (1...1_000_000).contains(batchSize) else {
                throw DetectionError(.invalidArgument, "batch size must be in 1...1000000, got \(batchSize)")
            }
            guard learningRate.isFinite, learningRate > 0, learningRate < 10 else {
                throw DetectionError(.invalidArgument, "learning rate must be in (0, 10), got \(learningRate)")
            }
            guard validationFraction.isFinite, (0..<0.9).contains(validationFraction) else {
                throw DetectionError(
                    .invalidArgument, "validation fraction must be in [0, 0.9), got \(validationFraction)")
            }
            guard (1...1000).contains(patience) else {
                throw DetectionError(.invalidArgument, "patience must be in 1...1000, got \(patience)")
            }
        }
    }

    /// What happened during training.
    public struct TrainingHistory: Sendable, Hashable, Codable {
        /// Mean training loss (MSE) of each epoch run.
        public var trainingLoss: [Double]
        /// Validation loss after each epoch run (empty without a validation split).
        public var validationLoss: [Double]
        /// The 1-based epoch whose weights were kept.
        public var bestEpoch: Int
        /// True when training ended before `epochs` because validation stopped improving.
        public var stoppedEarly: Bool

        enum CodingKeys: String, CodingKey {
            case trainingLoss = "training_loss"
            case validationLoss = "validation_loss"
            case bestEpoch = "best_epoch"
            case stoppedEarly = "stopped_early"
        }
    }

    /// The options the network was trained with.
    public let configuration: Configuration
    /// Number of input features.
    public var featureCount: Int { network.featureCount }
    /// Logical layer widths, input to output.
    public var layerWidths: [Int] { network.widths }
    var network: AutoencoderNetwork

    /// Wraps a network (trained or read from a bundle).
    init(configuration: Configuration, network: AutoencoderNetwork) {
        self.configuration = configuration
        self.network = network
    }

    /// Trains an autoencoder on `data` (rows are samples, already scaled) and returns it with its history.
    ///
    /// `progress` is called after each epoch with (epoch, epochs, training loss, validation loss).
    /// Throws when the configuration is invalid or the data is empty or not finite.
    public static func train(
        _ data: FeatureMatrix, configuration: Configuration = Configuration(),
        progress: ((Int, Int, Double, Double?) -> Void)? = nil
    ) throws(DetectionError) -> (Autoencoder, TrainingHistory) {
        try configuration.validate()
        var trainer = try AutoencoderTrainer(data: data, configuration: configuration)
        let history = trainer.run(progress: progress)
        return (Autoencoder(configuration: configuration, network: trainer.network), history)
    }

    /// Reconstruction errors (mean squared error over the features) of every row, computed on all cores.
    public func scores(_ data: FeatureMatrix) -> [Float] {
        precondition(data.columns == featureCount, "matrix has \(data.columns) columns, model expects \(featureCount)")
        var out = [Float](repeating: 0, count: data.rows)
        out.withUnsafeMutableBufferPointer { outBuffer in
            data.withUnsafeValues { values in
                ParallelRows.forEachChunk(rows: data.rows, minimumChunk: 4096) { range in
                    self.scoreRows(values, rows: range, into: outBuffer.baseAddress, featureErrors: nil)
                }
            }
        }
        return out
    }

    /// Reconstruction errors of every row plus each row's per-feature squared errors (`rows × featureCount`),
    /// computed on all cores.
    public func scoresWithFeatureErrors(_ data: FeatureMatrix) -> (scores: [Float], featureErrors: FeatureMatrix) {
        precondition(data.columns == featureCount, "matrix has \(data.columns) columns, model expects \(featureCount)")
        var out = [Float](repeating: 0, count: data.rows)
        var errors = [Float](repeating: 0, count: data.rows * featureCount)
        out.withUnsafeMutableBufferPointer { outBuffer in
            errors.withUnsafeMutableBufferPointer { errorBuffer in
                data.withUnsafeValues { values in
                    ParallelRows.forEachChunk(rows: data.rows, minimumChunk: 4096) { range in
                        self.scoreRows(
                            values, rows: range, into: outBuffer.baseAddress, featureErrors: errorBuffer.baseAddress)
                    }
                }
            }
        }
        return (out, FeatureMatrix(columns: featureCount, values: errors))
    }

    /// The reconstruction error of one row of `featureCount` values.
    public func score(_ row: UnsafeBufferPointer<Float>) -> Float {
        precondition(row.count == featureCount, "row has \(row.count) values, model expects \(featureCount)")
        var out: Float = 0
        withUnsafeMutablePointer(to: &out) { scoreRows(row, rows: 0..<1, into: $0, featureErrors: nil) }
        return out
    }

    /// The reconstruction error of one row plus its per-feature squared errors (which average to the score).
    public func scoreWithFeatureErrors(_ row: UnsafeBufferPointer<Float>) -> (score: Float, featureErrors: [Float]) {
        precondition(row.count == featureCount, "row has \(row.count) values, model expects \(featureCount)")
        var out: Float = 0
        var errors = [Float](repeating: 0, count: featureCount)
        errors.withUnsafeMutableBufferPointer { errorBuffer in
            withUnsafeMutablePointer(to: &out) {
                scoreRows(row, rows: 0..<1, into: $0, featureErrors: errorBuffer.baseAddress)
            }
        }
        return (out, errors)
    }

    /// Rows per forward block: big enough to amortise the per-layer loop, small enough to stay in L1/L2.
    static let scoringBlock = 128

    /// Scores `rows` of row-major `values` into `output[row]`; with `featureErrors` (a `rows × featureCount`
    /// buffer indexed like `values`) also each feature's squared error.
    func scoreRows(
        _ values: UnsafeBufferPointer<Float>, rows: Range<Int>, into output: UnsafeMutablePointer<Float>?,
        featureErrors: UnsafeMutablePointer<Float>?
    ) {
        guard let output, let base = values.baseAddress, !rows.isEmpty else { return }
        let d = network.featureCount
        let padded = network.paddedFeatureCount
        let block = min(Self.scoringBlock, rows.count)
        let scratchCount = 2 * block * network.maxPaddedWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: block * padded + scratchCount) { buffer in
            guard let input = buffer.baseAddress else { return }
            let scratch = input + block * padded
            input.initialize(repeating: 0, count: block * padded)
            network.parameters.withUnsafeBufferPointer { parameters in
                guard let parameters = parameters.baseAddress else { return }
                var start = rows.lowerBound
                while start < rows.upperBound {
                    let count = min(block, rows.upperBound - start)
                    for r in 0..<count {
                        (input + r * padded).update(from: base + (start + r) * d, count: d)
                    }
                    let reconstruction = network.forward(
                        input: input, rows: count, parameters: parameters, scratch: scratch)
                    for r in 0..<count {
                        let x = input + r * padded
                        let y = reconstruction + r * padded
                        var sum: Float = 0
                        if let featureErrors {
                            let errors = featureErrors + (start + r) * d
                            for c in 0..<d {
                                let e = y[c] - x[c]
                                errors[c] = e * e
                                sum += e * e
                            }
                        } else {
                            for c in 0..<d {
                                let e = y[c] - x[c]
                                sum += e * e
                            }
                        }
                        output[start + r] = sum / Float(d)
                    }
                    start += count
                }
            }
        }
    }
}
