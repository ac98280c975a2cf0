/// A dense autoencoder (default input→32→16→8→16→32→input) scoring rows by reconstruction error.
///
/// Hidden layers use leaky ReLU, the output is linear. Training (``train(_:configuration:progress:)``) uses
/// mini-batch Adam on the MSE loss with early stopping on a seeded validation split.
///
/// Robustness: the network models the bulk of the data. Its input is winsorised — each feature clipped to its
/// training quantiles [q, 1 − q] (``Configuration/clipQuantile``) — and it learns to reconstruct the clipped row.
/// A row is scored against its *unclipped* values, so whatever lies beyond the bulk counts as unexplained, instead
/// of being reconstructed along the directions the network learned (a plain autoencoder reconstructs a
/// consistently extreme row, e.g. all amount features high, almost perfectly). Each feature's squared error is
/// capped (``Configuration/errorCap``) so one rare value cannot outweigh every other feature.
/// Score = mean over features of min(cap, (x − x̂)²); the per-feature terms are kept for reasons.
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
        /// Inputs are clipped to each feature's training quantiles [q, 1 − q] (default 0.2; 0 disables).
        public var clipQuantile: Double
        /// Cap of each feature's squared error in the score, in squared standard deviations (default 9; 0 = none).
        public var errorCap: Double

        /// The defaults of SPEC §3 (and of the robustness options above).
        public init(
            hiddenLayers: [Int] = [32, 16, 8, 16, 32], epochs: Int = 20, batchSize: Int = 256,
            learningRate: Double = 0.001, validationFraction: Double = 0.1, patience: Int = 3, seed: UInt64 = 42,
            clipQuantile: Double = 0.2, errorCap: Double = 9
        ) {
            self.clipQuantile = clipQuantile
            self.errorCap = errorCap
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
            case clipQuantile = "clip_quantile"
            case errorCap = "error_cap"
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
            guard clipQuantile.isFinite, (0..<0.5).contains(clipQuantile) else {
                throw DetectionError(.invalidArgument, "clip quantile must be in [0, 0.5), got \(clipQuantile)")
            }
            guard errorCap.isFinite, errorCap >= 0 else {
                throw DetectionError(.invalidArgument, "error cap must be ≥ 0 (0 = none), got \(errorCap)")
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

        /// Creates a history record.
        public init(trainingLoss: [Double], validationLoss: [Double], bestEpoch: Int, stoppedEarly: Bool) {
            self.trainingLoss = trainingLoss
            self.validationLoss = validationLoss
            self.bestEpoch = bestEpoch
            self.stoppedEarly = stoppedEarly
        }

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
    /// Per-feature clipping bounds of the input (training quantiles); ±∞ when clipping is off.
    let lower: [Float]
    let upper: [Float]

    /// Wraps a network (trained or read from a bundle) with its input bounds.
    init(configuration: Configuration, network: AutoencoderNetwork, lower: [Float], upper: [Float]) {
        self.configuration = configuration
        self.network = network
        self.lower = lower
        self.upper = upper
    }

    /// Input bounds from the training data: each feature's [q, 1 − q] quantiles (±∞ for q = 0), estimated on at
    /// most 65,536 evenly spaced rows.
    static func clippingBounds(_ data: FeatureMatrix, quantile q: Double) -> (lower: [Float], upper: [Float]) {
        let d = data.columns
        guard q > 0 else {
            return ([Float](repeating: -.infinity, count: d), [Float](repeating: .infinity, count: d))
        }
        let stride = max(1, data.rows / 65_536)
        let sampled = Array(Swift.stride(from: 0, to: data.rows, by: stride))
        var lower: [Float] = []
        var upper: [Float] = []
        for c in 0..<d {
            let column = sampled.map { data[$0, c] }.sorted()
            let last = Double(column.count - 1)
            lower.append(column[Int((q * last).rounded())])
            upper.append(column[Int(((1 - q) * last).rounded())])
        }
        return (lower, upper)
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
        return (trainer.model, history)
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

    /// What a row's error is measured against.
    enum ErrorMode {
        /// The unclipped input, each feature's squared error capped: the anomaly score.
        case score
        /// The clipped input, uncapped: the training loss (for early stopping).
        case trainingLoss
    }

    /// Scores `rows` of row-major `values` into `output[row]`; with `featureErrors` (a `rows × featureCount`
    /// buffer indexed like `values`) also each feature's error term.
    func scoreRows(
        _ values: UnsafeBufferPointer<Float>, rows: Range<Int>, into output: UnsafeMutablePointer<Float>?,
        featureErrors: UnsafeMutablePointer<Float>?, mode: ErrorMode = .score
    ) {
        guard let output, let base = values.baseAddress, !rows.isEmpty else { return }
        let d = network.featureCount
        let padded = network.paddedFeatureCount
        let block = min(Self.scoringBlock, rows.count)
        let scratchCount = 2 * block * network.maxPaddedWidth
        let cap = mode == .score && configuration.errorCap > 0 ? Float(configuration.errorCap) : Float.infinity
        let againstClipped = mode == .trainingLoss
        withUnsafeTemporaryAllocation(of: Float.self, capacity: block * padded + scratchCount) { buffer in
            guard let input = buffer.baseAddress else { return }
            let scratch = input + block * padded
            input.initialize(repeating: 0, count: block * padded)
            network.parameters.withUnsafeBufferPointer { parameters in
                lower.withUnsafeBufferPointer { lower in
                    upper.withUnsafeBufferPointer { upper in
                        guard let parameters = parameters.baseAddress else { return }
                        var start = rows.lowerBound
                        while start < rows.upperBound {
                            let count = min(block, rows.upperBound - start)
                            for r in 0..<count {
                                let x = base + (start + r) * d
                                let clipped = input + r * padded
                                for c in 0..<d { clipped[c] = min(max(x[c], lower[c]), upper[c]) }
                            }
                            let reconstruction = network.forward(
                                input: input, rows: count, parameters: parameters, scratch: scratch)
                            for r in 0..<count {
                                let x = againstClipped ? UnsafePointer(input + r * padded) : base + (start + r) * d
                                let y = reconstruction + r * padded
                                let errors = featureErrors.map { $0 + (start + r) * d }
                                var sum: Float = 0
                                for c in 0..<d {
                                    let e = y[c] - x[c]
                                    let term = min(e * e, cap)
                                    errors?[c] = term
                                    sum += term
                                }
                                output[start + r] = sum / Float(d)
                            }
                            start += count
                        }
                    }
                }
            }
        }
    }
}
