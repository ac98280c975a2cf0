/// Request rates: per identified caller by role, per anonymous caller and per client address. Each is a token
/// bucket (`rate` tokens per second, at most `burst`); every request costs one token from its caller's bucket and
/// one from its address's bucket.
public struct RateLimits: Sendable, Hashable {
    /// One bucket's shape.
    public struct Limit: Sendable, Hashable, CustomStringConvertible {
        /// Requests per second, sustained.
        public var ratePerSecond: Double
        /// Requests allowed at once.
        public var burst: Double

        /// Creates a limit.
        public init(ratePerSecond: Double, burst: Double) {
            self.ratePerSecond = ratePerSecond
            self.burst = burst
        }

        /// Parses `RATE` or `RATE/BURST` (requests per second; burst defaults to twice the rate).
        public init?(_ text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let rate = Double(parts[0]), rate.isFinite, rate > 0 else {
                return nil
            }
            let burst = parts.count == 2 ? Double(parts[1]) : max(1, rate * 2)
            guard let burst, burst.isFinite, burst >= 1 else { return nil }
            self.init(ratePerSecond: rate, burst: burst)
        }

        public var description: String { "\(JSONTextNumber.format(ratePerSecond))/\(JSONTextNumber.format(burst))" }
    }

    /// Per identified caller, by role.
    public var perRole: [Role: Limit]
    /// Per client address for requests without valid credentials.
    public var anonymous: Limit
    /// Per client address, every request.
    public var perAddress: Limit
    /// How much of a bucket's rate one Redis call reserves for a replica to spend locally (``RateLimiter``);
    /// zero: one token per call.
    public var blockWindow: Duration

    /// The defaults: scorer 1000/s (burst 2000), analyst and admin 100/s (200), anonymous 20/s (50), address
    /// 2000/s (4000).
    public init(
        perRole: [Role: Limit] = [
            .scorer: Limit(ratePerSecond: 1000, burst: 2000), .analyst: Limit(ratePerSecond: 100, burst: 200),
            .admin: Limit(ratePerSecond: 100, burst: 200),
        ],
        anonymous: Limit = Limit(ratePerSecond: 20, burst: 50),
        perAddress: Limit = Limit(ratePerSecond: 2000, burst: 4000), blockWindow: Duration = .milliseconds(50)
    ) {
        self.perRole = perRole
        self.anonymous = anonymous
        self.perAddress = perAddress
        self.blockWindow = blockWindow
    }

    /// The limit of `role` (the scorer's when not configured).
    public func limit(for role: Role) -> Limit {
        perRole[role] ?? perRole[.scorer] ?? Limit(ratePerSecond: 1000, burst: 2000)
    }
}

/// Integral numbers without a fraction, others as Swift prints them.
enum JSONTextNumber {
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
