/// How a card transaction was made.
public enum Channel: String, Sendable, Hashable, Codable, CaseIterable {
    case pos
    case online
    case atm
}

/// A card or payment transaction as txad receives it (SPEC §2).
///
/// Optional fields are `nil` when missing; `currency` defaults to `USD`. Construct through ``TransactionInput``
/// validation when the values come from outside.
public struct Transaction: Sendable, Hashable {
    public var transactionID: String
    public var userID: String
    /// Event time, Unix milliseconds (UTC).
    public var timestampMillis: Int64
    public var amount: Double
    /// ISO 4217 code.
    public var currency: String
    public var merchantID: String?
    public var merchantCategory: String?
    public var channel: Channel?
    public var latitude: Double?
    public var longitude: Double?
    /// ISO 3166-1 alpha-2 code.
    public var country: String?

    public init(
        transactionID: String, userID: String, timestampMillis: Int64, amount: Double, currency: String = "USD",
        merchantID: String? = nil, merchantCategory: String? = nil, channel: Channel? = nil,
        latitude: Double? = nil, longitude: Double? = nil, country: String? = nil
    ) {
        self.transactionID = transactionID
        self.userID = userID
        self.timestampMillis = timestampMillis
        self.amount = amount
        self.currency = currency
        self.merchantID = merchantID
        self.merchantCategory = merchantCategory
        self.channel = channel
        self.latitude = latitude
        self.longitude = longitude
        self.country = country
    }
}

/// Ground-truth label of a transaction in training and evaluation data.
public struct AnomalyLabel: Sendable, Hashable {
    public var isAnomaly: Bool
    /// e.g. `high_amount`, `rapid_succession`, `unusual_location`, `unusual_time`; `nil` when unknown or normal.
    public var anomalyType: String?

    public init(isAnomaly: Bool, anomalyType: String? = nil) {
        self.isAnomaly = isAnomaly
        self.anomalyType = anomalyType
    }
}
