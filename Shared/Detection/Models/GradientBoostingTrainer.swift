import Foundation

extension GradientBoosting {
    /// Trains on `data` with binary `labels`, rows in time order (the last ``Configuration/validationFraction``
    /// of the rows are the early-stopping validation split).
    ///
    /// `weights` (default all 1) weight each row's loss; rows of weight 0 are left out (positive-unlabelled
    /// learning passes the unlabelled rows with a small weight). Throws when the options are invalid, `data` has
    /// non-finite values, the arrays differ in length, or the training rows lack one of the two classes.
    public init(
        fitting data: FeatureMatrix, labels: [Bool], weights: [Float]? = nil, configuration: Configuration = .init()
    ) throws(DetectionError) {
        try configuration.validate()
        guard labels.count == data.rows, weights.map({ $0.count == data.rows }) ?? true else {
            throw DetectionError(
                .invalidArgument,
                "gradient boosting: \(data.rows) rows, \(labels.count) labels, "
                    + "\(weights?.count ?? data.rows) weights")
        }
        if let bad = weights?.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw DetectionError(.invalidArgument, "gradient boosting: weight of row \(bad) is not a finite number ≥ 0")
        }
        try data.requireFinite("training")
        let trainer = GradientBoostingTrainer(
            data: data, labels: labels, weights: weights ?? [Float](repeating: 1, count: data.rows),
            configuration: configuration)
        self = try trainer.train()
    }
}

/// The state of one training run: binned training rows, their gradients and margins, the validation rows.
struct GradientBoostingTrainer {
    let data: FeatureMatrix
    let configuration: GradientBoosting.Configuration
    let features: Int
    let depth: Int
    /// Positions in `data` of the training and validation rows (weight > 0).
    let trainRows: [Int]
    let validationRows: [Int]
    let bins: FeatureBins
    /// Training rows' bins, column-major (``FeatureBins/bin(_:rows:)``).
    let binned: [UInt8]
    let label: [Float]
    let weight: [Float]
    let validationLabel: [Float]
    let validationWeight: [Float]

    init(data: FeatureMatrix, labels: [Bool], weights: [Float], configuration: GradientBoosting.Configuration) {
        self.data = data
        self.configuration = configuration
        self.features = data.columns
        self.depth = configuration.maxDepth
        let validationStart =
            configuration.validationFraction > 0
            ? data.rows - Int((Double(data.rows) * configuration.validationFraction).rounded()) : data.rows
        let train = (0..<validationStart).filter { weights[$0] > 0 }
        let validation = (validationStart..<data.rows).filter { weights[$0] > 0 }
        self.trainRows = train
        self.validationRows = validation
        self.bins = FeatureBins(fitting: data, rows: train, bins: configuration.bins)
        self.binned = bins.bin(data, rows: train)
        self.label = train.map { labels[$0] ? 1 : 0 }
        self.weight = train.map { weights[$0] }
        self.validationLabel = validation.map { labels[$0] ? 1 : 0 }
        self.validationWeight = validation.map { weights[$0] }
    }

    /// Boosts until the round limit or early stopping; returns the model truncated to the best round.
    func train() throws(DetectionError) -> GradientBoosting {
        var positive = 0.0
        var total = 0.0
        for i in label.indices {
            positive += Double(weight[i] * label[i])
            total += Double(weight[i])
        }
        guard positive > 0, positive < total else {
            throw DetectionError(
                .invalidArgument,
                "gradient boosting needs both classes among its \(trainRows.count) weighted training rows")
        }
        let base = Float(log(positive / (total - positive)))
        var margin = [Float](repeating: base, count: trainRows.count)
        var validationMargin = [Float](repeating: base, count: validationRows.count)
        var gradient = [Float](repeating: 0, count: trainRows.count)
        var hessian = [Float](repeating: 0, count: trainRows.count)
        var rng = Xoshiro256StarStar(seed: configuration.seed)
        var trees: [GrownTree] = []
        var losses: [Double] = []
        var best = (loss: Double.infinity, round: 0)
        var stoppedEarly = false
        // Validation rows binned with the training edges: a tree's bin test equals its raw-threshold test.
        let validationBinned = bins.bin(data, rows: validationRows)
        for round in 1...configuration.trees {
            updateGradients(margin: margin, gradient: &gradient, hessian: &hessian)
            let allowed = sampleFeatures(using: &rng)
            let sample = configuration.rowFraction < 1 ? sampleRows(using: &rng) : nil
            let tree = grow(sample: sample, gradient: gradient, hessian: hessian, allowed: allowed)
            Self.addTree(tree, binned: binned, to: &margin)
            trees.append(tree)
            guard !validationRows.isEmpty else { continue }
            Self.addTree(tree, binned: validationBinned, to: &validationMargin)
            let loss = validationLoss(validationMargin)
            losses.append(loss)
            if loss < best.loss - 1e-9 { best = (loss, round) }
            if round - best.round >= configuration.earlyStoppingRounds {
                stoppedEarly = true
                break
            }
        }
        let kept = validationRows.isEmpty ? trees.count : best.round
        return assemble(
            Array(trees.prefix(kept)), base: base,
            history: .init(validationLoss: losses, bestRound: kept, stoppedEarly: stoppedEarly))
    }

    /// The weighted mean log-loss of the validation rows at `margin`, summed in fixed chunks on all cores and the
    /// chunks added in order (deterministic).
    private func validationLoss(_ margin: [Float]) -> Double {
        let chunks = Self.histogramChunks(rows: margin.count)
        var parts = [(loss: Double, weight: Double)](repeating: (0, 0), count: chunks)
        let label = validationLabel
        let weight = validationWeight
        parts.withUnsafeMutableBufferPointer { out in
            guard let o = out.baseAddress else { return }
            ParallelRows.concurrentPerform(iterations: chunks) { chunk in
                var loss = 0.0
                var weightSum = 0.0
                for i in (margin.count * chunk / chunks)..<(margin.count * (chunk + 1) / chunks) {
                    let p = Double(GradientBoosting.sigmoid(margin[i])).clamped(1e-12, 1 - 1e-12)
                    let y = Double(label[i])
                    loss -= Double(weight[i]) * (y * log(p) + (1 - y) * log(1 - p))
                    weightSum += Double(weight[i])
                }
                o[chunk] = (loss, weightSum)
            }
        }
        var loss = 0.0
        var weightSum = 0.0
        for part in parts {
            loss += part.loss
            weightSum += part.weight
        }
        return loss / max(weightSum, 1e-12)
    }

    /// Log-loss gradients and hessians of every training row at `margin`, on all cores.
    private func updateGradients(margin: [Float], gradient: inout [Float], hessian: inout [Float]) {
        let label = self.label
        let weight = self.weight
        gradient.withUnsafeMutableBufferPointer { g in
            hessian.withUnsafeMutableBufferPointer { h in
                guard let gBase = g.baseAddress, let hBase = h.baseAddress else { return }
                ParallelRows.forEachChunk(rows: margin.count, minimumChunk: 32_768) { range in
                    for i in range {
                        let p = GradientBoosting.sigmoid(margin[i])
                        gBase[i] = weight[i] * (p - label[i])
                        hBase[i] = max(weight[i] * p * (1 - p), 1e-12)
                    }
                }
            }
        }
    }

    /// Adds `tree`'s value of each binned row (column-major, `margin.count` rows) to `margin`, on all cores.
    private static func addTree(_ tree: GrownTree, binned: [UInt8], to margin: inout [Float]) {
        margin.withUnsafeMutableBufferPointer { m in
            guard let base = m.baseAddress else { return }
            let count = m.count
            binned.withUnsafeBufferPointer { b in
                tree.feature.withUnsafeBufferPointer { feature in
                    tree.bin.withUnsafeBufferPointer { bin in
                        tree.value.withUnsafeBufferPointer { value in
                            let depth = tree.depth
                            ParallelRows.forEachChunk(rows: count, minimumChunk: 32_768) { range in
                                for i in range {
                                    var node = 0
                                    for _ in 0..<depth {
                                        let v = b[Int(feature[node]) &* count &+ i]
                                        node = 2 &* node &+ (v > bin[node] ? 2 : 1)
                                    }
                                    base[i] += value[node]
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The features this tree may split on.
    private func sampleFeatures(using rng: inout Xoshiro256StarStar) -> [Bool] {
        guard configuration.featureFraction < 1 else { return [Bool](repeating: true, count: features) }
        let k = max(1, Int((Double(features) * configuration.featureFraction).rounded()))
        var order = Array(0..<features)
        for i in stride(from: features - 1, to: 0, by: -1) { order.swapAt(i, rng.nextInt(below: i + 1)) }
        var allowed = [Bool](repeating: false, count: features)
        for f in order.prefix(k) { allowed[f] = true }
        return allowed
    }

    /// Positions (into the training rows) this tree is fitted on.
    private func sampleRows(using rng: inout Xoshiro256StarStar) -> [Int32] {
        guard configuration.rowFraction < 1 else { return (0..<Int32(trainRows.count)).map { $0 } }
        return (0..<Int32(trainRows.count)).filter { _ in rng.nextUnit() < configuration.rowFraction }
    }

    /// The model from grown trees, with bin thresholds turned into raw-value thresholds.
    private func assemble(_ trees: [GrownTree], base: Float, history: GradientBoosting.TrainingHistory)
        -> GradientBoosting
    {
        let innerCount = (1 << depth) - 1
        var splitFeature: [Int32] = []
        var threshold: [Float] = []
        var nodeValue: [Float] = []
        var leafValue: [Float] = []
        for tree in trees {
            for n in 0..<innerCount {
                let f = Int(tree.feature[n])
                splitFeature.append(tree.feature[n])
                threshold.append(tree.bin[n] == GrownTree.noSplit ? .infinity : bins.edges[f][Int(tree.bin[n])])
                nodeValue.append(tree.value[n])
            }
            leafValue.append(contentsOf: tree.value[innerCount...])
        }
        return GradientBoosting(
            configuration: configuration, featureCount: features, depth: depth, baseMargin: base, history: history,
            splitFeature: splitFeature, threshold: threshold, nodeValue: nodeValue, leafValue: leafValue)
    }
}

extension Double {
    /// The value limited to `low…high`.
    fileprivate func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(Swift.max(self, low), high) }
}
