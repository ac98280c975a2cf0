import Foundation

/// One risk signal's training distribution, turning a standardised value into its tail surprise
/// `−ln P(X ≥ x)` in the risky direction: 0 for the usual half of the training rows, about 4.6 for a value only
/// 1 % of training rows reach, about 9.2 for 0.01 %.
///
/// A fraud analyst reads a signal by how rare it is for the population, not by its raw scale; on this scale an
/// amount 12× the user's average, 4 transactions in 10 minutes and an impossible travel speed compare directly,
/// and the bulk of ordinary values collapses near 0 instead of spreading the models' attention.
///
/// The table holds the value at survival 10^(−j/16) for j = 0…16·log10(n): finest where anomalies live. Between
/// knots log-survival is interpolated linearly; ties take the larger survival (a binary flag set on 0.1 % of rows
/// maps to ln 1000 ≈ 6.9); above the training maximum the last decade's slope continues for at most 4 more decades.
public struct TailSurprise: Sendable, Hashable {
    /// +1 when large values are risky, −1 when small ones are.
    public let direction: Float
    /// Directed values at the survival knots, non-decreasing (knot 0 is the training minimum).
    public let knots: [Float]

    /// Knots per factor-10 drop in survival.
    public static let knotsPerDecade = 16
    /// Largest extrapolation above the training maximum, in decades.
    static let maximumExtraDecades: Float = 4
    private static let nepersPerKnot = Float(log(10.0)) / Float(knotsPerDecade)

    /// Fits the table on one column of training values (standardised), read with `direction`.
    /// - Throws: ``DetectionError/Code/invalidArgument`` for no values, non-finite values or a direction not ±1.
    public init(fitting column: [Float], direction: Float) throws(DetectionError) {
        guard direction == 1 || direction == -1 else {
            throw DetectionError(.invalidArgument, "tail direction must be +1 or −1, got \(direction)")
        }
        guard !column.isEmpty, column.allSatisfy(\.isFinite) else {
            throw DetectionError(.invalidArgument, "cannot fit a tail table on zero or non-finite values")
        }
        let sorted = FloatRadixSort.sorted(direction == 1 ? column : column.map { -$0 })
        let n = sorted.count
        let last = Int((Double(Self.knotsPerDecade) * log10(Double(n))).rounded(.down))
        knots = (0...last).map { j in
            let survival = pow(10, -Double(j) / Double(Self.knotsPerDecade))
            return sorted[min(n - 1, Int(((1 - survival) * Double(n)).rounded(.down)))]
        }
        self.direction = direction
    }

    /// A table read back from a bundle; throws ``DetectionError/Code/corruptModel`` unless it has at least one
    /// finite knot, the knots never decrease and the direction is ±1.
    public init(direction: Float, knots: [Float]) throws(DetectionError) {
        guard direction == 1 || direction == -1 else {
            throw DetectionError(.corruptModel, "tail direction must be +1 or −1, got \(direction)")
        }
        guard !knots.isEmpty, knots.allSatisfy(\.isFinite), zip(knots, knots.dropFirst()).allSatisfy({ $0 <= $1 })
        else { throw DetectionError(.corruptModel, "tail table must be finite and non-decreasing") }
        self.direction = direction
        self.knots = knots
    }

    /// The tail surprise (nats, ≥ 0) of standardised value `x`.
    public func surprise(_ x: Float) -> Float {
        let v = direction * x
        let k = knots
        // First knot at or above v.
        var lo = 0
        var hi = k.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if k[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        if lo == 0 { return 0 }
        if lo < k.count {
            if k[lo] == v { return Float(lo) * Self.nepersPerKnot }
            let fraction = (v - k[lo - 1]) / (k[lo] - k[lo - 1])
            return (Float(lo - 1) + fraction) * Self.nepersPerKnot
        }
        let top = k.count - 1
        let width = k[top] - k[max(0, top - Self.knotsPerDecade)]
        let extraDecades = width > 0 ? min((v - k[top]) / width, Self.maximumExtraDecades) : 1
        return (Float(top) + extraDecades * Float(Self.knotsPerDecade)) * Self.nepersPerKnot
    }
}
