import Foundation

/// Adam optimiser state (PyTorch's formulation: β1 = 0.9, β2 = 0.999, ε = 1e-8, bias-corrected).
struct AdamState {
    private var m: [Float]
    private var v: [Float]
    private var step: Int = 0
    private let learningRate: Float
    private let beta1: Float = 0.9
    private let beta2: Float = 0.999
    private let epsilon: Float = 1e-8

    init(count: Int, learningRate: Float) {
        m = [Float](repeating: 0, count: count)
        v = [Float](repeating: 0, count: count)
        self.learningRate = learningRate
    }

    /// One update of `parameters` with the sum of `gradients` (added in array order, so deterministic).
    ///
    /// Every buffer holds `m.count` values, a multiple of 8 (the padded network layout guarantees it).
    mutating func step(parameters: UnsafeMutablePointer<Float>, gradients: [UnsafeMutablePointer<Float>]) {
        step += 1
        let t = Double(step)
        let correction1 = 1 - pow(Double(beta1), t)
        let correction2 = 1 - pow(Double(beta2), t)
        let stepSize = SIMD8<Float>(repeating: Float(Double(learningRate) / correction1))
        let inverseRoot2 = SIMD8<Float>(repeating: Float(1 / correction2.squareRoot()))
        let b1 = SIMD8<Float>(repeating: beta1)
        let b2 = SIMD8<Float>(repeating: beta2)
        let oneMinusB1 = SIMD8<Float>(repeating: 1 - beta1)
        let oneMinusB2 = SIMD8<Float>(repeating: 1 - beta2)
        let eps = SIMD8<Float>(repeating: epsilon)
        let count = m.count
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                guard let m = m.baseAddress, let v = v.baseAddress else { return }
                var i = 0
                while i < count {
                    var g = DenseKernels.load(gradients[0] + i)
                    for p in 1..<gradients.count {
                        g += DenseKernels.load(gradients[p] + i)
                    }
                    let mi = b1 * DenseKernels.load(m + i) + oneMinusB1 * g
                    let vi = b2 * DenseKernels.load(v + i) + oneMinusB2 * g * g
                    DenseKernels.store(mi, m + i)
                    DenseKernels.store(vi, v + i)
                    let update = stepSize * mi / (vi.squareRoot() * inverseRoot2 + eps)
                    DenseKernels.store(DenseKernels.load(parameters + i) - update, parameters + i)
                    i += 8
                }
            }
        }
    }
}
