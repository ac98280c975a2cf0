/// Every buffer one autoencoder training run needs, allocated once: per-partition activations, deltas and
/// gradients, and the transposed weights used by the backward pass.
///
/// A class because the partitions are filled concurrently through raw pointers and must not be copied; each
/// partition is touched by exactly one worker per batch and the main thread only reads them between batches.
final class TrainingWorkspace {
    private let partitions: [PartitionWorkspace]
    /// Transposed weights of layers 1… (layer 0's input gradient is never needed).
    let transposed: UnsafeMutablePointer<Float>
    /// Offset of each layer's transposed weights in ``transposed``.
    let transposedOffsets: [Int]
    /// Each partition's gradient buffer, in partition order (the reduction order).
    let gradients: [UnsafeMutablePointer<Float>]

    init(network: AutoencoderNetwork, batchSize: Int) {
        let rowsPerPartition = (batchSize + AutoencoderTrainer.partitions - 1) / AutoencoderTrainer.partitions
        let partitions = (0..<AutoencoderTrainer.partitions).map { _ in
            PartitionWorkspace(network: network, rows: rowsPerPartition)
        }
        self.partitions = partitions
        self.gradients = partitions.map(\.gradient)
        var offsets: [Int] = []
        var total = 0
        for l in 0..<network.layerCount {
            offsets.append(total)
            if l > 0 { total += network.paddedWidths[l] * network.paddedWidths[l + 1] }
        }
        self.transposedOffsets = offsets
        self.transposed = .allocate(capacity: max(total, 1))
        self.transposed.initialize(repeating: 0, count: max(total, 1))
        self.transposedCount = max(total, 1)
    }

    private let transposedCount: Int

    deinit {
        transposed.deinitialize(count: transposedCount)
        transposed.deallocate()
    }

    /// The workspace of partition `p`.
    func partition(_ p: Int) -> PartitionWorkspace { partitions[p] }

    /// Rewrites the transposed copies of layers 1… from the current weights.
    func refreshTransposed(_ network: AutoencoderNetwork, parameters: UnsafeMutablePointer<Float>) {
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

/// One partition's activations, deltas and gradient for up to `rows` rows of a batch.
final class PartitionWorkspace {
    private let capacity: Int
    private let storage: UnsafeMutablePointer<Float>
    private let storageCount: Int
    /// Activations of every layer (index 0 = padded input), each `rows × paddedWidth`.
    private let activations: [UnsafeMutablePointer<Float>]
    /// Deltas (loss gradients w.r.t. pre-activations) of layers 1…, same shapes as the activations.
    private let deltas: [UnsafeMutablePointer<Float>]
    /// Gradient of every parameter, laid out like `AutoencoderNetwork.parameters`.
    let gradient: UnsafeMutablePointer<Float>
    /// Sum of squared reconstruction errors of the last batch part.
    private(set) var loss: Double = 0

    init(network: AutoencoderNetwork, rows: Int) {
        capacity = rows
        let layerSizes = network.paddedWidths.map { $0 * rows }
        storageCount = 2 * layerSizes.reduce(0, +) + network.parameters.count
        storage = .allocate(capacity: storageCount)
        storage.initialize(repeating: 0, count: storageCount)
        var offset = 0
        var activations: [UnsafeMutablePointer<Float>] = []
        var deltas: [UnsafeMutablePointer<Float>] = []
        for size in layerSizes {
            activations.append(storage + offset)
            offset += size
            deltas.append(storage + offset)
            offset += size
        }
        self.activations = activations
        self.deltas = deltas
        self.gradient = storage + offset
    }

    deinit {
        storage.deinitialize(count: storageCount)
        storage.deallocate()
    }

    /// Forward and backward pass over `rows` data rows (given by index) into ``gradient`` and ``loss``.
    ///
    /// `scale` is 2 / (batch rows × features), the derivative factor of the batch's mean squared error.
    func computeGradient(
        _ network: AutoencoderNetwork, parameters: UnsafePointer<Float>, transposed: UnsafeMutablePointer<Float>,
        transposedOffsets: [Int], values: UnsafePointer<Float>, rowIndices: UnsafePointer<Int32>, rows: Int,
        scale: Float
    ) {
        precondition(rows <= capacity, "partition overflow")
        let d = network.featureCount
        let widths = network.paddedWidths
        let layers = network.layerCount
        let input = activations[0]
        for r in 0..<rows {
            (input + r * widths[0]).update(from: values + Int(rowIndices[r]) * d, count: d)
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
        loss = Double(lossSum)
        var l = layers - 1
        while l >= 0 {
            DenseKernels.weightGradient(
                input: activations[l], delta: deltas[l + 1], rows: rows, inputWidth: widths[l],
                outputWidth: widths[l + 1], gradient: gradient + network.weightOffsets[l],
                biasGradient: gradient + network.biasOffsets[l])
            if l > 0 {
                DenseKernels.backpropagate(
                    delta: deltas[l + 1], rows: rows, outputWidth: widths[l + 1],
                    transposedWeights: transposed + transposedOffsets[l], inputWidth: widths[l],
                    activation: activations[l], inputDelta: deltas[l])
            }
            l -= 1
        }
    }
}
