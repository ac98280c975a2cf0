import Foundation

/// A logistic regression over a few model outputs: the learned blend of the supervised bundle.
///
/// `p = σ(intercept + Σ coefficientᵢ · inputᵢ)`, fitted by Newton's method (iteratively reweighted least squares)
/// with a small L2 penalty on the coefficients (not the intercept), so it converges even on separable or tiny
/// label sets. With only a handful of inputs every step is a small dense solve.
public struct LogisticStacking: Sendable, Hashable, Codable {
    /// Names of the inputs, in order (e.g. `isolation_forest_logit`).
    public let inputs: [String]
    /// Intercept and one coefficient per input.
    public let intercept: Double
    public let coefficients: [Double]

    /// Creates a blend from known values (tests, the manifest).
    public init(inputs: [String], intercept: Double, coefficients: [Double]) {
        self.inputs = inputs
        self.intercept = intercept
        self.coefficients = coefficients
    }

    /// Fits on `rows` (each `inputs.count` values) and binary `labels`.
    ///
    /// Throws ``DetectionError/Code/invalidArgument`` when the sizes differ or a class is missing.
    public init(fitting rows: [[Double]], labels: [Bool], inputs: [String], l2: Double = 1) throws(DetectionError) {
        let k = inputs.count
        guard k >= 1, rows.count == labels.count, rows.allSatisfy({ $0.count == k }) else {
            throw DetectionError(.invalidArgument, "stacking: rows, labels and inputs differ in size")
        }
        guard labels.contains(true), labels.contains(false) else {
            throw DetectionError(
                .invalidArgument, "the blend needs fraud and legitimate labels among its \(labels.count) held-out rows")
        }
        let positives = Double(labels.filter { $0 }.count)
        var beta = [Double](repeating: 0, count: k + 1)
        beta[0] = log(positives / (Double(labels.count) - positives))
        /// Penalised negative log-likelihood, for the step-halving line search.
        func loss(_ beta: [Double]) -> Double {
            var total = 0.0
            for (row, label) in zip(rows, labels) {
                var z = beta[0]
                for j in 0..<k { z += beta[j + 1] * row[j] }
                // log(1 + e^z) − y·z, computed without overflow.
                total += max(z, 0) + log1p(exp(-abs(z))) - (label ? z : 0)
            }
            for j in 1...k { total += 0.5 * l2 * beta[j] * beta[j] }
            return total
        }
        var current = loss(beta)
        for _ in 0..<100 {
            var gradient = [Double](repeating: 0, count: k + 1)
            var hessian = [Double](repeating: 0, count: (k + 1) * (k + 1))
            for (row, label) in zip(rows, labels) {
                let x = [1] + row
                var z = 0.0
                for j in 0...k { z += beta[j] * x[j] }
                let p = 1 / (1 + exp(-z))
                let w = max(p * (1 - p), 1e-9)
                for a in 0...k {
                    gradient[a] += (p - (label ? 1 : 0)) * x[a]
                    for b in 0...k { hessian[a * (k + 1) + b] += w * x[a] * x[b] }
                }
            }
            for j in 1...k {
                gradient[j] += l2 * beta[j]
                hessian[j * (k + 1) + j] += l2
            }
            guard let step = Self.solve(hessian, gradient, size: k + 1) else { break }
            // Newton's step, halved until the loss does not increase (plain Newton can overshoot on separable
            // data).
            var scale = 1.0
            var accepted = false
            for _ in 0..<30 {
                let candidate = (0...k).map { beta[$0] - scale * step[$0] }
                let value = loss(candidate)
                if value <= current {
                    beta = candidate
                    accepted = current - value > 1e-10
                    current = value
                    break
                }
                scale /= 2
            }
            if !accepted { break }
        }
        self.init(inputs: inputs, intercept: beta[0], coefficients: Array(beta[1...]))
    }

    /// The blended probability of one row of inputs.
    @inline(__always)
    public func probability(_ x: [Double]) -> Double {
        var z = intercept
        for (c, v) in zip(coefficients, x) { z += c * v }
        return 1 / (1 + exp(-z))
    }

    /// Throws ``DetectionError/Code/corruptModel`` unless the values are finite and match the inputs.
    public func validate(expectedInputs: [String]) throws(DetectionError) {
        guard inputs == expectedInputs, coefficients.count == inputs.count, intercept.isFinite,
            coefficients.allSatisfy(\.isFinite)
        else {
            throw DetectionError(
                .corruptModel, "the blend must have finite coefficients for \(expectedInputs), got \(inputs)")
        }
    }

    /// Solves `A x = b` (`A` symmetric positive definite, row-major `size × size`) by Gaussian elimination with
    /// partial pivoting; `nil` when singular.
    private static func solve(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
        var m = a
        var y = b
        for col in 0..<n {
            var pivot = col
            for r in (col + 1)..<max(col + 1, n) where abs(m[r * n + col]) > abs(m[pivot * n + col]) { pivot = r }
            guard abs(m[pivot * n + col]) > 1e-12 else { return nil }
            if pivot != col {
                for c in 0..<n { m.swapAt(col * n + c, pivot * n + c) }
                y.swapAt(col, pivot)
            }
            for r in (col + 1)..<max(col + 1, n) {
                let factor = m[r * n + col] / m[col * n + col]
                for c in col..<n { m[r * n + c] -= factor * m[col * n + c] }
                y[r] -= factor * y[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = y[r]
            for c in (r + 1)..<max(r + 1, n) { s -= m[r * n + c] * x[c] }
            x[r] = s / m[r * n + r]
        }
        return x
    }

    enum CodingKeys: String, CodingKey { case inputs, intercept, coefficients }
}
