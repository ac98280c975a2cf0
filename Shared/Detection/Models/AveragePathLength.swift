import Foundation

/// c(n): the average path length of an unsuccessful search in a binary search tree of `n` points.
///
/// Isolation Forest normalises path lengths by c(ψ) and adds c(size) at leaves that stopped splitting early.
/// The usual formula `2 H(n−1) − 2 (n−1)/n` with `H(i) ≈ ln(i) + γ` is up to 28 % off for tiny n (n = 3), so
/// the harmonic number is summed exactly while that is cheap and only large n use the asymptotic expansion
/// (whose error at n > 256 is below 1e-9).
public enum AveragePathLength {
    /// The Euler–Mascheroni constant.
    static let eulerGamma = 0.577_215_664_901_532_9

    /// c(n) for a node holding `n` points: 0 for n ≤ 1, 1 for n = 2.
    public static func c(_ n: Int) -> Double {
        if n <= 1 { return 0 }
        if n == 2 { return 1 }
        let m = n - 1
        return 2 * harmonic(m) - 2 * Double(m) / Double(n)
    }

    /// The harmonic number H(m) = 1 + 1/2 + … + 1/m (exact sum for m ≤ 256, asymptotic expansion above).
    public static func harmonic(_ m: Int) -> Double {
        if m <= 0 { return 0 }
        if m <= 256 {
            // Summing from the smallest term keeps the rounding error at a few ulps.
            var sum = 0.0
            var i = m
            while i >= 1 {
                sum += 1 / Double(i)
                i -= 1
            }
            return sum
        }
        let x = Double(m)
        let inv2 = 1 / (x * x)
        return log(x) + eulerGamma + 1 / (2 * x) - inv2 / 12 + inv2 * inv2 / 120
    }
}
