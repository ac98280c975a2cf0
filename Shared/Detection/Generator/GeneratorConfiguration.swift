/// What ``TransactionGenerator`` makes: how many rows and users, the anomaly rate, the period and the seed.
public struct GeneratorConfiguration: Sendable, Hashable {
    /// Which kind of anomalies are injected.
    public enum Profile: String, Sendable, Hashable, CaseIterable {
        /// SPEC §3's mix: high amount 40 %, rapid succession 30 %, unusual location 20 %, unusual time 10 %.
        case standard
        /// Sparkov-like card fraud only: compromised cards used in bursts over one to three days, mostly at night,
        /// large online and grocery purchases near home (use with a rare rate such as 0.006).
        case sparkov
    }

    /// The anomaly profile (default standard).
    public var profile: Profile
    /// Total rows (normal plus anomalies).
    public var count: Int
    /// Number of users (card holders).
    public var users: Int
    /// Share of rows that are injected anomalies, split high amount 40%, rapid succession 30%, unusual
    /// location 20%, unusual time 10% (SPEC §3).
    public var anomalyRate: Double
    /// Equal seeds give byte-identical output.
    public var seed: UInt64
    /// Start of the period, Unix milliseconds (default 2024-01-01T00:00:00Z).
    public var startMillis: Int64
    /// Length of the period in days.
    public var days: Int

    /// The default start: 2024-01-01T00:00:00Z.
    public static let defaultStartMillis: Int64 = 1_704_067_200_000

    /// Creates a configuration; `users` defaults to one per 200 rows.
    public init(
        count: Int = 100_000, users: Int? = nil, anomalyRate: Double = 0.05, seed: UInt64 = 42,
        startMillis: Int64 = defaultStartMillis, days: Int = 90, profile: Profile = .standard
    ) {
        self.profile = profile
        self.count = count
        self.users = users ?? max(1, count / 200)
        self.anomalyRate = anomalyRate
        self.seed = seed
        self.startMillis = startMillis
        self.days = days
    }

    /// Number of anomalous rows: `round(count × anomalyRate)`.
    public var anomalyCount: Int { Int((Double(count) * anomalyRate).rounded()) }

    /// Throws ``DetectionError/Code/invalidArgument`` naming the first bad value and what to use instead.
    public func validate() throws(DetectionError) {
        guard count >= 1, count <= 100_000_000 else {
            throw DetectionError(.invalidArgument, "count must be between 1 and 100,000,000, got \(count)")
        }
        guard anomalyRate.isFinite, anomalyRate >= 0, anomalyRate <= 0.5 else {
            throw DetectionError(.invalidArgument, "anomaly rate must be between 0 and 0.5, got \(anomalyRate)")
        }
        guard users >= 1, users <= count - anomalyCount else {
            throw DetectionError(
                .invalidArgument,
                "users must be between 1 and the number of normal rows (\(count - anomalyCount)), got \(users); "
                    + "every user needs at least one normal transaction")
        }
        guard days >= 1, days <= 3660 else {
            throw DetectionError(.invalidArgument, "days must be between 1 and 3660, got \(days)")
        }
        guard startMillis >= 0, startMillis <= 253_402_300_799_000 - Int64(days) * 86_400_000 else {
            throw DetectionError(.invalidArgument, "start must be between 1970 and 9999 (including the period)")
        }
    }
}
