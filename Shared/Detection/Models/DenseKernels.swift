/// The small matrix kernels behind the autoencoder's forward and backward passes.
///
/// All matrices are contiguous, row-major `Float` buffers whose widths are multiples of 8, so every inner loop runs
/// on whole `SIMD` vectors with no tail. Column blocks of up to 32 outputs keep their accumulators in registers
/// while the reduction dimension streams through. Every output element is accumulated in the same order (bias
/// first, then k = 0, 1, …) whatever the number of rows in the call, which makes a row's result independent of the
/// batch it is computed in. No fused multiply-add is used, so results do not depend on the CPU's FMA support.
///
/// Callers own the buffers and guarantee their sizes; these functions do no bounds checks (they sit in the hottest
/// loops of training and scoring).
///
/// Why not BLAS: for the autoencoder's shapes (batch 256 × 31 features × 32/16/8 units) one training step's
/// products took 112 µs here against 135 µs for Debian's OpenBLAS 0.3.21 `cblas_sgemm` (one thread, AVX2 + FMA),
/// and 50 µs against 74 µs at 128 rows: per-call overhead dominates such small matrices, and BLAS's FMA would make
/// results depend on the CPU.
enum DenseKernels {
    /// Hidden-layer activation: leaky ReLU with slope 0.01 (keeps units of the narrow bottleneck from dying).
    static let leak: Float = 0.01

    typealias V8 = SIMD8<Float>

    /// `output[r, :] = act(bias + input[r, :] · weights)` for `rows` rows.
    ///
    /// `weights` is `inputWidth × outputWidth`; `bias` may be nil (zero). Both widths are multiples of 8.
    /// With `activate` the leaky ReLU is applied, otherwise the result is linear.
    static func affine(
        input: UnsafePointer<Float>, rows: Int, inputWidth: Int, weights: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, outputWidth: Int, activate: Bool, output: UnsafeMutablePointer<Float>
    ) {
        var column = 0
        while column < outputWidth {
            let lanes = min(4, (outputWidth - column) / 8)
            switch lanes {
            case 4:
                affine32(input, rows, inputWidth, weights, bias, outputWidth, column, activate, output)
            case 3:
                affine16(input, rows, inputWidth, weights, bias, outputWidth, column, activate, output)
                affine8(input, rows, inputWidth, weights, bias, outputWidth, column + 16, activate, output)
            case 2:
                affine16(input, rows, inputWidth, weights, bias, outputWidth, column, activate, output)
            default:
                affine8(input, rows, inputWidth, weights, bias, outputWidth, column, activate, output)
            }
            column += lanes * 8
        }
    }

    @inline(__always)
    private static func activation(_ v: V8, _ activate: Bool) -> V8 {
        activate ? v.replacing(with: v * V8(repeating: leak), where: v .< 0) : v
    }

    @inline(__always)
    private static func biasVector(_ bias: UnsafePointer<Float>?, _ column: Int) -> V8 {
        if let bias { return load(bias + column) }
        return V8()
    }

    private static func affine32(
        _ input: UnsafePointer<Float>, _ rows: Int, _ inputWidth: Int, _ weights: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>?, _ outputWidth: Int, _ column: Int, _ activate: Bool,
        _ output: UnsafeMutablePointer<Float>
    ) {
        let b0 = biasVector(bias, column)
        let b1 = biasVector(bias, column + 8)
        let b2 = biasVector(bias, column + 16)
        let b3 = biasVector(bias, column + 24)
        for r in 0..<rows {
            let x = input + r * inputWidth
            var a0 = b0
            var a1 = b1
            var a2 = b2
            var a3 = b3
            var w = weights + column
            for k in 0..<inputWidth {
                let xk = V8(repeating: x[k])
                a0 += xk * load(w)
                a1 += xk * load(w + 8)
                a2 += xk * load(w + 16)
                a3 += xk * load(w + 24)
                w += outputWidth
            }
            let y = output + r * outputWidth + column
            store(activation(a0, activate), y)
            store(activation(a1, activate), y + 8)
            store(activation(a2, activate), y + 16)
            store(activation(a3, activate), y + 24)
        }
    }

    private static func affine16(
        _ input: UnsafePointer<Float>, _ rows: Int, _ inputWidth: Int, _ weights: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>?, _ outputWidth: Int, _ column: Int, _ activate: Bool,
        _ output: UnsafeMutablePointer<Float>
    ) {
        let b0 = biasVector(bias, column)
        let b1 = biasVector(bias, column + 8)
        var r = 0
        // Two rows at a time share each weight load.
        while r + 2 <= rows {
            let x = input + r * inputWidth
            let z = x + inputWidth
            var a0 = b0
            var a1 = b1
            var c0 = b0
            var c1 = b1
            var w = weights + column
            for k in 0..<inputWidth {
                let w0: V8 = load(w)
                let w1: V8 = load(w + 8)
                let xk = V8(repeating: x[k])
                let zk = V8(repeating: z[k])
                a0 += xk * w0
                a1 += xk * w1
                c0 += zk * w0
                c1 += zk * w1
                w += outputWidth
            }
            let y = output + r * outputWidth + column
            store(activation(a0, activate), y)
            store(activation(a1, activate), y + 8)
            store(activation(c0, activate), y + outputWidth)
            store(activation(c1, activate), y + outputWidth + 8)
            r += 2
        }
        if r < rows {
            let x = input + r * inputWidth
            var a0 = b0
            var a1 = b1
            var w = weights + column
            for k in 0..<inputWidth {
                let xk = V8(repeating: x[k])
                a0 += xk * load(w)
                a1 += xk * load(w + 8)
                w += outputWidth
            }
            let y = output + r * outputWidth + column
            store(activation(a0, activate), y)
            store(activation(a1, activate), y + 8)
        }
    }

    private static func affine8(
        _ input: UnsafePointer<Float>, _ rows: Int, _ inputWidth: Int, _ weights: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>?, _ outputWidth: Int, _ column: Int, _ activate: Bool,
        _ output: UnsafeMutablePointer<Float>
    ) {
        let b0 = biasVector(bias, column)
        var r = 0
        // Four rows at a time share each weight load.
        while r + 4 <= rows {
            let x = input + r * inputWidth
            var a0 = b0
            var a1 = b0
            var a2 = b0
            var a3 = b0
            var w = weights + column
            for k in 0..<inputWidth {
                let w0: V8 = load(w)
                a0 += V8(repeating: x[k]) * w0
                a1 += V8(repeating: x[k + inputWidth]) * w0
                a2 += V8(repeating: x[k + 2 * inputWidth]) * w0
                a3 += V8(repeating: x[k + 3 * inputWidth]) * w0
                w += outputWidth
            }
            let y = output + r * outputWidth + column
            store(activation(a0, activate), y)
            store(activation(a1, activate), y + outputWidth)
            store(activation(a2, activate), y + 2 * outputWidth)
            store(activation(a3, activate), y + 3 * outputWidth)
            r += 4
        }
        while r < rows {
            let x = input + r * inputWidth
            var a0 = b0
            var w = weights + column
            for k in 0..<inputWidth {
                a0 += V8(repeating: x[k]) * load(w)
                w += outputWidth
            }
            store(activation(a0, activate), output + r * outputWidth + column)
            r += 1
        }
    }

    /// `gradient[k, :] = Σ_r input[r, k] · delta[r, :]` (overwrites), and `biasGradient = Σ_r delta[r, :]`.
    ///
    /// `gradient` is `inputWidth × outputWidth`, laid out like the layer's weights.
    static func weightGradient(
        input: UnsafePointer<Float>, delta: UnsafePointer<Float>, rows: Int, inputWidth: Int, outputWidth: Int,
        gradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>
    ) {
        var column = 0
        while column < outputWidth {
            let lanes = min(4, (outputWidth - column) / 8)
            if lanes >= 2 {
                let width = lanes == 3 ? 16 : lanes * 8
                if width == 32 {
                    gradient32(input, delta, rows, inputWidth, outputWidth, column, gradient)
                } else {
                    gradient16(input, delta, rows, inputWidth, outputWidth, column, gradient)
                }
                column += width
            } else {
                gradient8(input, delta, rows, inputWidth, outputWidth, column, gradient)
                column += 8
            }
        }
        var c = 0
        while c < outputWidth {
            var sum = V8()
            var g = delta + c
            for _ in 0..<rows {
                sum += load(g)
                g += outputWidth
            }
            store(sum, biasGradient + c)
            c += 8
        }
    }

    private static func gradient32(
        _ input: UnsafePointer<Float>, _ delta: UnsafePointer<Float>, _ rows: Int, _ inputWidth: Int,
        _ outputWidth: Int, _ column: Int, _ gradient: UnsafeMutablePointer<Float>
    ) {
        for k in 0..<inputWidth {
            var a0 = V8()
            var a1 = V8()
            var a2 = V8()
            var a3 = V8()
            var x = input + k
            var g = delta + column
            for _ in 0..<rows {
                let xk = V8(repeating: x.pointee)
                a0 += xk * load(g)
                a1 += xk * load(g + 8)
                a2 += xk * load(g + 16)
                a3 += xk * load(g + 24)
                x += inputWidth
                g += outputWidth
            }
            let out = gradient + k * outputWidth + column
            store(a0, out)
            store(a1, out + 8)
            store(a2, out + 16)
            store(a3, out + 24)
        }
    }

    private static func gradient16(
        _ input: UnsafePointer<Float>, _ delta: UnsafePointer<Float>, _ rows: Int, _ inputWidth: Int,
        _ outputWidth: Int, _ column: Int, _ gradient: UnsafeMutablePointer<Float>
    ) {
        var k = 0
        // Two input columns at a time share each delta load.
        while k + 2 <= inputWidth {
            var a0 = V8()
            var a1 = V8()
            var c0 = V8()
            var c1 = V8()
            var x = input + k
            var g = delta + column
            for _ in 0..<rows {
                let g0: V8 = load(g)
                let g1: V8 = load(g + 8)
                let xk = V8(repeating: x[0])
                let zk = V8(repeating: x[1])
                a0 += xk * g0
                a1 += xk * g1
                c0 += zk * g0
                c1 += zk * g1
                x += inputWidth
                g += outputWidth
            }
            let out = gradient + k * outputWidth + column
            store(a0, out)
            store(a1, out + 8)
            store(c0, out + outputWidth)
            store(c1, out + outputWidth + 8)
            k += 2
        }
        if k < inputWidth {
            var a0 = V8()
            var a1 = V8()
            var x = input + k
            var g = delta + column
            for _ in 0..<rows {
                let xk = V8(repeating: x.pointee)
                a0 += xk * load(g)
                a1 += xk * load(g + 8)
                x += inputWidth
                g += outputWidth
            }
            let out = gradient + k * outputWidth + column
            store(a0, out)
            store(a1, out + 8)
        }
    }

    private static func gradient8(
        _ input: UnsafePointer<Float>, _ delta: UnsafePointer<Float>, _ rows: Int, _ inputWidth: Int,
        _ outputWidth: Int, _ column: Int, _ gradient: UnsafeMutablePointer<Float>
    ) {
        var k = 0
        // Four input columns at a time share each delta load (input widths are multiples of 8).
        while k + 4 <= inputWidth {
            var a0 = V8()
            var a1 = V8()
            var a2 = V8()
            var a3 = V8()
            var x = input + k
            var g = delta + column
            for _ in 0..<rows {
                let g0: V8 = load(g)
                a0 += V8(repeating: x[0]) * g0
                a1 += V8(repeating: x[1]) * g0
                a2 += V8(repeating: x[2]) * g0
                a3 += V8(repeating: x[3]) * g0
                x += inputWidth
                g += outputWidth
            }
            let out = gradient + k * outputWidth + column
            store(a0, out)
            store(a1, out + outputWidth)
            store(a2, out + 2 * outputWidth)
            store(a3, out + 3 * outputWidth)
            k += 4
        }
    }

    /// `inputDelta[r, :] = (delta[r, :] · weightsᵀ) ⊙ act'(activation[r, :])` for the layer below.
    ///
    /// `transposedWeights` is `outputWidth × inputWidth` (the layer's weights transposed), `activation` is the layer
    /// below's leaky-ReLU output (its sign gives the derivative).
    static func backpropagate(
        delta: UnsafePointer<Float>, rows: Int, outputWidth: Int, transposedWeights: UnsafePointer<Float>,
        inputWidth: Int, activation: UnsafePointer<Float>, inputDelta: UnsafeMutablePointer<Float>
    ) {
        affine(
            input: delta, rows: rows, inputWidth: outputWidth, weights: transposedWeights, bias: nil,
            outputWidth: inputWidth, activate: false, output: inputDelta)
        var i = 0
        let count = rows * inputWidth
        let one = V8(repeating: 1)
        let leakVector = V8(repeating: leak)
        while i < count {
            let a: V8 = load(activation + i)
            let slope = leakVector.replacing(with: one, where: a .> 0)
            store(load(inputDelta + i) * slope, inputDelta + i)
            i += 8
        }
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> V8 {
        UnsafeRawPointer(pointer).loadUnaligned(as: V8.self)
    }

    @inline(__always)
    static func load(_ pointer: UnsafeMutablePointer<Float>) -> V8 {
        UnsafeRawPointer(pointer).loadUnaligned(as: V8.self)
    }

    @inline(__always)
    static func store(_ value: V8, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: V8.self)
    }
}
