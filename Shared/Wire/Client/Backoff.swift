/// Exponential backoff with jitter between connection attempts to a target that refused or dropped them.
public struct Backoff: Sendable, Hashable {
    /// Wait after the first failure.
    public var initial: Duration
    /// Longest wait.
    public var maximum: Duration
    /// Growth per consecutive failure.
    public var multiplier: Double
    /// Random spread, as a fraction of the wait: 0.2 means ±20 %, so replicas do not reconnect in lockstep.
    public var jitter: Double

    /// Creates a policy; defaults: 100 ms, ×1.6 per failure, at most 5 s, ±20 %.
    public init(
        initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), multiplier: Double = 1.6,
        jitter: Double = 0.2
    ) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The wait after `failures` consecutive failures (1 for the first), jitter applied.
    public func delay<G: RandomNumberGenerator>(afterFailures failures: Int, using generator: inout G) -> Duration {
        let initialSeconds = Self.seconds(initial)
        let maximumSeconds = Self.seconds(maximum)
        let exponent = Double(max(failures, 1) - 1)
        let base = min(maximumSeconds, initialSeconds * pow(multiplier, exponent))
        let spread = max(0, min(jitter, 1))
        let factor = spread > 0 ? Double.random(in: (1 - spread)...(1 + spread), using: &generator) : 1
        return .nanoseconds(Int64(max(0, base * factor) * 1e9))
    }

    /// The wait after `failures` consecutive failures, with the system random generator.
    public func delay(afterFailures failures: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &generator)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        // Repeated multiplication; exponents are small and this avoids importing libm for one call.
        var result = 1.0
        var remaining = Int(min(exponent, 64))
        while remaining > 0 {
            result *= base
            remaining -= 1
        }
        return result
    }
}
