/// Every buffer one autoencoder training run shares between its lanes, allocated once: each row partition's
/// activations and deltas, and the partitions' gradients and losses, double-buffered by batch parity.
///
/// Double buffering lets a lane start batch b + 1 (writing the other parity's gradients) while its partner still
/// sums batch b's; no lane can get two batches ahead, because every batch ends at the lanes' barrier. A class
/// because the buffers are filled concurrently through raw pointers and must not be copied; each partition is
/// written by exactly one lane.
final class TrainingWorkspace {
    private let partitions: [PartitionWorkspace]
    /// `gradients[parity][p]`: partition p's gradient for batches of that parity, laid out like the parameters.
    let gradients: [[UnsafeMutablePointer<Float>]]
    /// `losses[parity * partitionCount + p]`: partition p's sum of squared errors for batches of that parity.
    let losses: UnsafeMutablePointer<Double>
    private let gradientStorage: FloatBuffer

    init(network: AutoencoderNetwork, batchSize: Int) {
        let count = AutoencoderTrainer.partitions
        let rowsPerPartition = (batchSize + count - 1) / count
        partitions = (0..<count).map { _ in PartitionWorkspace(network: network, rows: rowsPerPartition) }
        let parameterCount = network.parameters.count
        gradientStorage = FloatBuffer(count: 2 * count * parameterCount)
        let base = gradientStorage.base
        gradients = (0..<2).map { parity in
            (0..<count).map { p in base + (parity * count + p) * parameterCount }
        }
        losses = .allocate(capacity: 2 * count)
        losses.initialize(repeating: 0, count: 2 * count)
    }

    deinit {
        losses.deinitialize(count: 2 * AutoencoderTrainer.partitions)
        losses.deallocate()
    }

    /// The workspace of partition `p`.
    func partition(_ p: Int) -> PartitionWorkspace { partitions[p] }
}

/// One thread's copy of what an Adam step changes: the weights, their transposes (for the backward pass) and the
/// optimiser's moments. Every lane applies the same steps to the same summed gradients, so the copies stay
/// bit-identical and no lane waits for another's update.
final class TrainingLane {
    private let storage: FloatBuffer
    /// The weights and biases, laid out like `AutoencoderNetwork.parameters`.
    let parameters: UnsafeMutablePointer<Float>
    /// Transposed weights of layers 1… (layer 0's input gradient is never needed).
    let transposed: UnsafeMutablePointer<Float>
    /// Offset of each layer's transposed weights in ``transposed``.
    let transposedOffsets: [Int]
    private var adam: AdamState

    init(network: AutoencoderNetwork, learningRate: Float) {
        var offsets: [Int] = []
        var total = 0
        for l in 0..<network.layerCount {
            offsets.append(total)
            if l > 0 { total += network.paddedWidths[l] * network.paddedWidths[l + 1] }
        }
        let parameterCount = network.parameters.count
        storage = FloatBuffer(count: parameterCount + total)
        parameters = storage.base
        transposed = storage.base + parameterCount
        transposedOffsets = offsets
        adam = AdamState(count: parameterCount, learningRate: learningRate)
        network.parameters.withUnsafeBufferPointer { source in
            guard let source = source.baseAddress else { return }
            parameters.update(from: source, count: parameterCount)
        }
        refreshTransposed(network)
    }

    /// A copy of the current weights and biases.
    func parameterArray(count: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: parameters, count: count))
    }

    /// One Adam update with the partitions' gradients (summed in partition order), then fresh transposes.
    func step(_ network: AutoencoderNetwork, gradients: [UnsafeMutablePointer<Float>]) {
        adam.step(parameters: parameters, gradients: gradients)
        refreshTransposed(network)
    }

    /// Rewrites the transposed copies of layers 1… from the current weights.
    func refreshTransposed(_ network: AutoencoderNetwork) {
        for l in 1..<network.layerCount {
            let rows = network.paddedWidths[l]
            let columns = network.paddedWidths[l + 1]
            let source = parameters + network.weightOffsets[l]
            let target = transposed + transposedOffsets[l]
            for i in 0..<rows {
                for j in 0..<columns { target[j * rows + i] = source[i * columns + j] }
            }
        }
    }
}

/// One partition's activations and deltas for up to `rows` rows of a batch.
final class PartitionWorkspace {
    private let capacity: Int
    private let storage: FloatBuffer
    /// Activations of every layer (index 0 = padded input), each `rows × paddedWidth`.
    private let activations: [UnsafeMutablePointer<Float>]
    /// Deltas (loss gradients w.r.t. pre-activations) of layers 1…, same shapes as the activations.
    private let deltas: [UnsafeMutablePointer<Float>]

    init(network: AutoencoderNetwork, rows: Int) {
        capacity = rows
        let layerSizes = network.paddedWidths.map { $0 * rows }
        storage = FloatBuffer(count: 2 * layerSizes.reduce(0, +))
        var offset = 0
        var activations: [UnsafeMutablePointer<Float>] = []
        var deltas: [UnsafeMutablePointer<Float>] = []
        for size in layerSizes {
            activations.append(storage.base + offset)
            offset += size
            deltas.append(storage.base + offset)
            offset += size
        }
        self.activations = activations
        self.deltas = deltas
    }

    /// Forward and backward pass with `lane`'s weights over `rows` data rows (given by index, clipped to
    /// [`lower`, `upper`]) into `gradient` (laid out like the parameters); returns the sum of squared errors.
    ///
    /// `scale` is 2 / (batch rows × features), the derivative factor of the batch's mean squared error.
    func computeGradient(
        _ network: AutoencoderNetwork, lane: TrainingLane, values: UnsafePointer<Float>, lower: UnsafePointer<Float>,
        upper: UnsafePointer<Float>, rowIndices: UnsafePointer<Int32>, rows: Int, scale: Float,
        gradient: UnsafeMutablePointer<Float>
    ) -> Double {
        precondition(rows <= capacity, "partition overflow")
        let d = network.featureCount
        let widths = network.paddedWidths
        let layers = network.layerCount
        let parameters = UnsafePointer(lane.parameters)
        let input = activations[0]
        // Gather the batch rows, clipped to the input bounds (the network learns the bulk of the data).
        for r in 0..<rows {
            let source = values + Int(rowIndices[r]) * d
            let target = input + r * widths[0]
            for c in 0..<d { target[c] = min(max(source[c], lower[c]), upper[c]) }
        }
        for l in 0..<layers {
            DenseKernels.affine(
                input: activations[l], rows: rows, inputWidth: widths[l], weights: parameters + network.weightOffsets[l],
                bias: parameters + network.biasOffsets[l], outputWidth: widths[l + 1], activate: l < layers - 1,
                output: activations[l + 1])
        }
        let output = activations[layers]
        let outputDelta = deltas[layers]
        var lossSum: Float = 0
        for r in 0..<rows {
            let base = r * widths[layers]
            var rowSum: Float = 0
            for c in 0..<d {
                let e = output[base + c] - input[base + c]
                rowSum += e * e
                outputDelta[base + c] = scale * e
            }
            lossSum += rowSum
        }
        var l = layers - 1
        while l >= 0 {
            DenseKernels.weightGradient(
                input: activations[l], delta: deltas[l + 1], rows: rows, inputWidth: widths[l],
                outputWidth: widths[l + 1], gradient: gradient + network.weightOffsets[l],
                biasGradient: gradient + network.biasOffsets[l])
            if l > 0 {
                DenseKernels.backpropagate(
                    delta: deltas[l + 1], rows: rows, outputWidth: widths[l + 1],
                    transposedWeights: lane.transposed + lane.transposedOffsets[l], inputWidth: widths[l],
                    activation: activations[l], inputDelta: deltas[l])
            }
            l -= 1
        }
        return Double(lossSum)
    }
}

/// A zero-filled `Float` allocation owned by a training object and freed with it.
final class FloatBuffer {
    let base: UnsafeMutablePointer<Float>
    private let count: Int

    init(count: Int) {
        self.count = max(count, 1)
        base = .allocate(capacity: self.count)
        base.initialize(repeating: 0, count: self.count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}
