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

    private static let fields: [(name: String, path: any WritableKeyPath<RawFeatures, Double> & Sendable)] = [
        ("amount", \.amount), ("user_average_amount", \.userAverageAmount), ("amount_ratio_user", \.amountRatioUser),
        ("category_median_amount", \.categoryMedianAmount), ("amount_ratio_category", \.amountRatioCategory),
        ("hour", \.hour), ("minute", \.minute), ("usual_hour_start", \.usualHourStart),
        ("usual_hour_end", \.usualHourEnd), ("hour_probability", \.hourProbability),
        ("seconds_since_last", \.secondsSinceLast), ("count_10m", \.count10m), ("count_1h", \.count1h),
        ("count_24h", \.count24h), ("usual_daily_count", \.usualDailyCount), ("spend_24h", \.spend24h),
        ("usual_daily_spend", \.usualDailySpend), ("distance_home_km", \.distanceHomeKm), ("travel_km", \.travelKm),
        ("travel_minutes", \.travelMinutes), ("travel_speed_kmh", \.travelSpeedKmh), ("new_country", \.newCountry),
        ("foreign_country", \.foreignCountry), ("new_merchant", \.newMerchant), ("new_category", \.newCategory),
        ("merchant_share", \.merchantShare), ("category_share", \.categoryShare), ("channel_share", \.channelShare),
        ("channel", \.channel), ("history_count", \.historyCount), ("out_of_order", \.outOfOrder),
        ("location_missing", \.locationMissing), ("country_missing", \.countryMissing),
        ("category_missing", \.categoryMissing), ("channel_missing", \.channelMissing),
        ("merchant_missing", \.merchantMissing),
    ]

    /// The names of ``namedValues``, in order.
    public static let names: [String] = fields.map(\.name)

    /// The values as named pairs (names in ``names`` order), as carried in `FeatureVector.raw`.
    public var namedValues: [NamedValue] {
        Self.fields.map { NamedValue(name: $0.name, value: self[keyPath: $0.path]) }
    }

    /// Rebuilds raw values from named pairs; unknown names are ignored and absent ones keep their defaults, so
    /// a newer sender and an older receiver still agree on the values both know.
    public init(namedValues: [NamedValue]) {
        self.init()
        for pair in namedValues {
            if let field = Self.fields.first(where: { $0.name == pair.name }) {
                self[keyPath: field.path] = pair.value
            }
        }
    }
}
