/// The shape and parameters of a fully connected autoencoder, in the padded layout the kernels run on.
///
/// Every width is rounded up to a multiple of 8; the extra weights, biases and inputs are zero and stay zero under
/// training (their gradients are exactly zero), so padding never changes a result. Parameters live in one flat
/// buffer: for each layer its weights (`in × out`, row-major) followed by its biases.
struct AutoencoderNetwork: Sendable, Hashable {
    /// Logical widths: input, hidden layers…, output (= input).
    let widths: [Int]
    /// Widths rounded up to multiples of 8.
    let paddedWidths: [Int]
    /// Offset of layer l's weights in `parameters`.
    let weightOffsets: [Int]
    /// Offset of layer l's biases in `parameters`.
    let biasOffsets: [Int]
    /// All weights and biases, padded.
    var parameters: [Float]

    /// Number of weight layers.
    var layerCount: Int { widths.count - 1 }
    /// Logical input width (number of features).
    var featureCount: Int { widths[0] }
    /// Padded input width.
    var paddedFeatureCount: Int { paddedWidths[0] }

    /// A zero-initialised network with the given logical widths (at least input and output).
    init(widths: [Int]) {
        self.widths = widths
        self.paddedWidths = widths.map { ($0 + 7) / 8 * 8 }
        var weightOffsets: [Int] = []
        var biasOffsets: [Int] = []
        var offset = 0
        for l in 0..<(widths.count - 1) {
            weightOffsets.append(offset)
            offset += paddedWidths[l] * paddedWidths[l + 1]
            biasOffsets.append(offset)
            offset += paddedWidths[l + 1]
        }
        self.weightOffsets = weightOffsets
        self.biasOffsets = biasOffsets
        self.parameters = [Float](repeating: 0, count: offset)
    }

    /// He-normal weights for the leaky-ReLU layers, Xavier-normal for the linear output layer, zero biases.
    mutating func initialize(using rng: inout Xoshiro256StarStar) {
        for l in 0..<layerCount {
            let fanIn = Double(widths[l])
            let fanOut = Double(widths[l + 1])
            let std = l == layerCount - 1 ? (2 / (fanIn + fanOut)).squareRoot() : (2 / fanIn).squareRoot()
            for i in 0..<widths[l] {
                for j in 0..<widths[l + 1] {
                    parameters[weightOffsets[l] + i * paddedWidths[l + 1] + j] = Float(rng.nextGaussian() * std)
                }
            }
        }
    }

    /// The logical (unpadded) weights and biases of every layer, in layer order: for each layer `in × out`
    /// weights row-major, then `out` biases. This is the storage order of the bundle file.
    var logicalParameters: [Float] {
        var out: [Float] = []
        for l in 0..<layerCount {
            for i in 0..<widths[l] {
                for j in 0..<widths[l + 1] {
                    out.append(parameters[weightOffsets[l] + i * paddedWidths[l + 1] + j])
                }
            }
            for j in 0..<widths[l + 1] { out.append(parameters[biasOffsets[l] + j]) }
        }
        return out
    }

    /// Number of logical parameters.
    var logicalParameterCount: Int {
        (0..<layerCount).reduce(0) { $0 + widths[$1] * widths[$1 + 1] + widths[$1 + 1] }
    }

    /// Fills the network from ``logicalParameters`` order; `values.count` must equal ``logicalParameterCount``.
    mutating func setLogicalParameters(_ values: [Float]) {
        precondition(values.count == logicalParameterCount, "wrong parameter count")
        var n = 0
        for l in 0..<layerCount {
            for i in 0..<widths[l] {
                for j in 0..<widths[l + 1] {
                    parameters[weightOffsets[l] + i * paddedWidths[l + 1] + j] = values[n]
                    n += 1
                }
            }
            for j in 0..<widths[l + 1] {
                parameters[biasOffsets[l] + j] = values[n]
                n += 1
            }
        }
    }

    /// Largest padded width (scratch buffers are sized by it).
    var maxPaddedWidth: Int { paddedWidths.max() ?? 0 }

    /// Runs the forward pass over `rows` padded input rows, layer by layer through `scratch`.
    ///
    /// `scratch` holds two ping-pong buffers of `rows × maxPaddedWidth` each; returns a pointer (inside `scratch`
    /// or `input` for a zero-layer net) to the `rows × paddedFeatureCount` reconstruction.
    func forward(
        input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) -> UnsafePointer<Float> {
        let half = rows * maxPaddedWidth
        var source = input
        for l in 0..<layerCount {
            let target = scratch + (l % 2) * half
            DenseKernels.affine(
                input: source, rows: rows, inputWidth: paddedWidths[l], weights: parameters + weightOffsets[l],
                bias: parameters + biasOffsets[l], outputWidth: paddedWidths[l + 1], activate: l < layerCount - 1,
                output: target)
            source = UnsafePointer(target)
        }
        return source
    }
}
