import Domain

/// Human-meaningful values behind one transaction's features, kept so reasons can say "14.2× this user's average".
///
/// Values a transaction cannot have (no earlier transaction, no location) are `-1`, never NaN, so they survive JSON
/// and protobuf unchanged. Sent between services as ``namedValues`` and rebuilt with ``init(namedValues:)``.
public struct RawFeatures: Sendable, Hashable {
    /// The transaction amount.
    public var amount: Double = 0
    /// The user's average amount before this transaction; -1 without history.
    public var userAverageAmount: Double = -1
    /// amount / userAverageAmount; -1 without history.
    public var amountRatioUser: Double = -1
    /// Median amount of the transaction's category in the training data (global median when unknown).
    public var categoryMedianAmount: Double = 0
    /// amount / categoryMedianAmount.
    public var amountRatioCategory: Double = 0
    /// Hour (0–23) of the timestamp (UTC clock).
    public var hour: Double = 0
    /// Minute (0–59) of the timestamp.
    public var minute: Double = 0
    /// First hour of the user's usual hours (the shortest run of hours holding 90% of their transactions);
    /// -1 until the user has 5 transactions.
    public var usualHourStart: Double = -1
    /// Hour the usual hours end (exclusive, may wrap past midnight); -1 until the user has 5 transactions.
    public var usualHourEnd: Double = -1
    /// Smoothed probability of this hour for the user.
    public var hourProbability: Double = 0
    /// Seconds since the user's previous transaction; -1 for the first one.
    public var secondsSinceLast: Double = -1
    /// Transactions in the last 10 minutes, this one included.
    public var count10m: Double = 1
    /// Transactions in the last hour, this one included.
    public var count1h: Double = 1
    /// Transactions in the last 24 hours, this one included (the user state remembers the latest 24).
    public var count24h: Double = 1
    /// Usual transactions per day for the user (shrunk toward the population rate).
    public var usualDailyCount: Double = 0
    /// Spend in the last 24 hours, this transaction included.
    public var spend24h: Double = 0
    /// The user's usual spend per day.
    public var usualDailySpend: Double = 0
    /// Kilometres from the user's usual location; -1 when unknown.
    public var distanceHomeKm: Double = -1
    /// Kilometres from the previous located transaction; -1 when unknown.
    public var travelKm: Double = -1
    /// Minutes since the previous located transaction; -1 when unknown.
    public var travelMinutes: Double = -1
    /// Implied speed (km/h, capped) from the previous located transaction; -1 when unknown.
    public var travelSpeedKmh: Double = -1
    /// 1 when the country is new for the user.
    public var newCountry: Double = 0
    /// 1 when the country is not the user's most frequent one.
    public var foreignCountry: Double = 0
    /// 1 when the merchant is new for the user.
    public var newMerchant: Double = 0
    /// 1 when the category is new for the user.
    public var newCategory: Double = 0
    /// The user's share of transactions at this merchant before this one.
    public var merchantShare: Double = 0
    /// The user's (smoothed) share of transactions in this category.
    public var categoryShare: Double = 0
    /// The user's (smoothed) share of transactions on this channel.
    public var channelShare: Double = 0
    /// Channel code: 0 missing, 1 pos, 2 online, 3 atm.
    public var channel: Double = 0
    /// Earlier transactions of the user.
    public var historyCount: Double = 0
    /// 1 when the transaction is older than the user's latest one (its gap was clamped to 0).
    public var outOfOrder: Double = 0
    /// 1 when latitude/longitude were missing.
    public var locationMissing: Double = 0
    /// 1 when the country was missing.
    public var countryMissing: Double = 0
    /// 1 when the merchant category was missing.
    public var categoryMissing: Double = 0
    /// 1 when the channel was missing.
    public var channelMissing: Double = 0
    /// 1 when the merchant was missing.
    public var merchantMissing: Double = 0

    /// All values zero or unknown; filled by ``FeatureExtractor``.
    public init() {}

    /// Name, getter and setter of every value, in wire order (closures rather than key paths: applying a key path
    /// is generic and showed up in profiles of the scoring path).
    private static let fields: [Field] = [
        Field("amount", { $0.amount }, { $0.amount = $1 }),
        Field("user_average_amount", { $0.userAverageAmount }, { $0.userAverageAmount = $1 }),
        Field("amount_ratio_user", { $0.amountRatioUser }, { $0.amountRatioUser = $1 }),
        Field("category_median_amount", { $0.categoryMedianAmount }, { $0.categoryMedianAmount = $1 }),
        Field("amount_ratio_category", { $0.amountRatioCategory }, { $0.amountRatioCategory = $1 }),
        Field("hour", { $0.hour }, { $0.hour = $1 }),
        Field("minute", { $0.minute }, { $0.minute = $1 }),
        Field("usual_hour_start", { $0.usualHourStart }, { $0.usualHourStart = $1 }),
        Field("usual_hour_end", { $0.usualHourEnd }, { $0.usualHourEnd = $1 }),
        Field("hour_probability", { $0.hourProbability }, { $0.hourProbability = $1 }),
        Field("seconds_since_last", { $0.secondsSinceLast }, { $0.secondsSinceLast = $1 }),
        Field("count_10m", { $0.count10m }, { $0.count10m = $1 }),
        Field("count_1h", { $0.count1h }, { $0.count1h = $1 }),
        Field("count_24h", { $0.count24h }, { $0.count24h = $1 }),
        Field("usual_daily_count", { $0.usualDailyCount }, { $0.usualDailyCount = $1 }),
        Field("spend_24h", { $0.spend24h }, { $0.spend24h = $1 }),
        Field("usual_daily_spend", { $0.usualDailySpend }, { $0.usualDailySpend = $1 }),
        Field("distance_home_km", { $0.distanceHomeKm }, { $0.distanceHomeKm = $1 }),
        Field("travel_km", { $0.travelKm }, { $0.travelKm = $1 }),
        Field("travel_minutes", { $0.travelMinutes }, { $0.travelMinutes = $1 }),
        Field("travel_speed_kmh", { $0.travelSpeedKmh }, { $0.travelSpeedKmh = $1 }),
        Field("new_country", { $0.newCountry }, { $0.newCountry = $1 }),
        Field("foreign_country", { $0.foreignCountry }, { $0.foreignCountry = $1 }),
        Field("new_merchant", { $0.newMerchant }, { $0.newMerchant = $1 }),
        Field("new_category", { $0.newCategory }, { $0.newCategory = $1 }),
        Field("merchant_share", { $0.merchantShare }, { $0.merchantShare = $1 }),
        Field("category_share", { $0.categoryShare }, { $0.categoryShare = $1 }),
        Field("channel_share", { $0.channelShare }, { $0.channelShare = $1 }),
        Field("channel", { $0.channel }, { $0.channel = $1 }),
        Field("history_count", { $0.historyCount }, { $0.historyCount = $1 }),
        Field("out_of_order", { $0.outOfOrder }, { $0.outOfOrder = $1 }),
        Field("location_missing", { $0.locationMissing }, { $0.locationMissing = $1 }),
        Field("country_missing", { $0.countryMissing }, { $0.countryMissing = $1 }),
        Field("category_missing", { $0.categoryMissing }, { $0.categoryMissing = $1 }),
        Field("channel_missing", { $0.channelMissing }, { $0.channelMissing = $1 }),
        Field("merchant_missing", { $0.merchantMissing }, { $0.merchantMissing = $1 }),
    ]

    private struct Field: Sendable {
        let name: String
        let get: @Sendable (RawFeatures) -> Double
        let set: @Sendable (inout RawFeatures, Double) -> Void

        init(
            _ name: String, _ get: @escaping @Sendable (RawFeatures) -> Double,
            _ set: @escaping @Sendable (inout RawFeatures, Double) -> Void
        ) {
            self.name = name
            self.get = get
            self.set = set
        }
    }

    /// The names of ``namedValues``, in order.
    public static let names: [String] = fields.map(\.name)

    /// The values in ``names`` order, as carried in `FeatureVector.rawValues`.
    public var values: [Double] { Self.fields.map { $0.get(self) } }

    /// Rebuilds raw values from ``values`` order; nil unless there is exactly one value per name.
    public init?(values: [Double]) {
        guard values.count == Self.fields.count else { return nil }
        self.init()
        for (value, field) in zip(values, Self.fields) { field.set(&self, value) }
    }

    /// The values as named pairs (names in ``names`` order).
    public var namedValues: [NamedValue] {
        Self.fields.map { NamedValue(name: $0.name, value: $0.get(self)) }
    }

    /// Rebuilds raw values from named pairs; unknown names are ignored and absent ones keep their defaults, so
    /// a newer sender and an older receiver still agree on the values both know.
    public init(namedValues: [NamedValue]) {
        self.init()
        // The usual case: every name, in ``names`` order (a positional check, no lookups).
        if namedValues.count == Self.fields.count
            && zip(namedValues, Self.fields).allSatisfy({ $0.name == $1.name })
        {
            for (pair, field) in zip(namedValues, Self.fields) { field.set(&self, pair.value) }
            return
        }
        for pair in namedValues {
            if let index = Self.indexByName[pair.name] { Self.fields[index].set(&self, pair.value) }
        }
    }

    private static let indexByName = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
}
