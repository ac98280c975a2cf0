/// Everything the features need to remember about one user: a compact, versioned value type.
///
/// The offline replay keeps one per user in memory; the preprocessing service keeps the same bytes in Redis
/// (``serialized()`` / ``init(serialized:)``, about 600 bytes), so online and offline features are computed by the
/// same code from the same state. A fresh `UserState()` is the cold-start state of a user never seen before.
///
/// The fields are internal: only ``FeatureExtractor`` interprets them. All storage is inline (no heap
/// allocation), so a state is one contiguous value of about 1 KB in memory.
public struct UserState: Sendable, Hashable {
    /// Version of the binary encoding; ``init(serialized:)`` refuses any other.
    public static let formatVersion: UInt8 = 1

    static let recentCapacity = 24
    static let categorySlots = 6
    static let merchantSlots = 8
    static let countrySlots = 4
    static let placeSlots = 3

    /// A key (hashed name or country code) with how often the user used it.
    struct Slot: Sendable, Hashable, BitwiseCopyable {
        var key: UInt32
        var count: UInt16
    }

    /// A place the user transacts at: running mean position and weight.
    struct Place: Sendable, Hashable, BitwiseCopyable {
        var latitude: Float
        var longitude: Float
        var weight: UInt16
    }

    /// Transactions seen.
    var count: UInt32 = 0
    /// Timestamp of the first and of the latest transaction (Unix ms; the latest never moves backwards).
    var firstMillis: Int64 = 0
    var lastMillis: Int64 = 0
    /// Welford running mean and sum of squared deviations of log(1 + amount), and the running mean amount.
    var logAmountMean: Double = 0
    var logAmountM2: Double = 0
    var amountMean: Double = 0
    /// Transactions per hour of day (halved together when one saturates).
    var hourCounts = InlineList24<UInt16>(repeating: 0, count: 24)
    /// Ring of the most recent transactions' timestamps and amounts, for the 10 min / 1 h / 24 h windows.
    var recentMillis = InlineList24<Int64>(filler: 0)
    var recentAmounts = InlineList24<Float>(filler: 0)
    /// Next ring slot to overwrite once the ring is full.
    var recentHead: UInt8 = 0
    /// Transactions per channel: pos, online, atm.
    var channelCounts = InlineList8<UInt32>(repeating: 0, count: 3)
    /// Frequent categories, merchants (FNV-1a hashes) and countries (two ASCII letters), with how many
    /// transactions carried each field at all.
    var categories = InlineList8<Slot>(filler: Slot(key: 0, count: 0))
    var categoryObservations: UInt32 = 0
    var merchants = InlineList8<Slot>(filler: Slot(key: 0, count: 0))
    var merchantObservations: UInt32 = 0
    var countries = InlineList8<Slot>(filler: Slot(key: 0, count: 0))
    var countryObservations: UInt32 = 0
    /// Places the user transacts at; the heaviest is the home location estimate.
    var places = InlineList8<Place>(filler: Place(latitude: 0, longitude: 0, weight: 0))
    /// The latest located transaction, for the implied travel speed.
    var hasLastLocation = false
    var lastLatitude: Double = 0
    var lastLongitude: Double = 0
    var lastLocationMillis: Int64 = 0

    /// The cold-start state of a user never seen before.
    public init() {}

    /// Number of transactions folded into this state.
    public var transactionCount: Int { Int(count) }

    /// Timestamp (Unix ms) of the latest transaction folded in, or `nil` for a new user.
    public var latestTimestampMillis: Int64? { count > 0 ? lastMillis : nil }
}
