/// The versioned list of model input columns, in the order ``FeatureExtractor`` writes them.
///
/// A model bundle stores the schema it was trained with; serving refuses feature vectors whose schema version or
/// column count differs (``validate(columns:version:)``), so a change of features never silently feeds a model
/// columns it did not learn. Bump ``FeatureSchema/current``'s version whenever a column's meaning changes.
public struct FeatureSchema: Sendable, Hashable, Codable {
    /// Schema version; part of every feature vector and of the model bundle manifest.
    public var version: UInt32
    /// Column names, in matrix order.
    public var names: [String]

    /// Creates a schema; `names` must be unique.
    public init(version: UInt32, names: [String]) {
        self.version = version
        self.names = names
    }

    /// The schema this build's ``FeatureExtractor`` produces.
    public static let current = FeatureSchema(version: 1, names: FeatureColumn.allCases.map(\.name))

    /// Number of columns.
    public var count: Int { names.count }

    /// How each column enters the models (``ModelInputs``), for this build's columns; context for unknown names.
    public var inputRoles: [FeatureInputRole] {
        names.map { name in FeatureColumn.allCases.first { $0.name == name }?.inputRole ?? .context }
    }

    /// The column index of `name`, or `nil` when the schema has no such column.
    public func index(of name: String) -> Int? { names.firstIndex(of: name) }

    /// Throws ``DetectionError/Code/schemaMismatch`` unless `columns` and `version` match this schema.
    public func validate(columns: Int, version: UInt32) throws(DetectionError) {
        guard version == self.version else {
            throw DetectionError(
                .schemaMismatch,
                "feature schema version \(version) does not match the model's version \(self.version); "
                    + "retrain the model or upgrade the preprocessing service")
        }
        guard columns == names.count else {
            throw DetectionError(
                .schemaMismatch, "feature vector has \(columns) values, schema version \(version) has \(names.count)")
        }
    }
}

/// How a feature column enters the models (see ``ModelInputs``).
public enum FeatureInputRole: Sendable, Hashable {
    /// A risk signal where large values are risky: fed as its upper-tail surprise.
    case riskHigh
    /// A risk signal where small values are risky: fed as its lower-tail surprise.
    case riskLow
    /// Context the models combine with the signals: fed standardised.
    case context
    /// Descriptive only: not a model input.
    case ignored
}

/// The columns of schema version 1, in order. Internal: callers address columns by name through the schema.
enum FeatureColumn: Int, CaseIterable {
    /// log(1 + amount).
    case amountLog
    /// z-score of log(1 + amount) against the user's running log-amount mean and spread, shrunk toward priors.
    case amountZUser
    /// log(1 + amount) − log(1 + the user's shrunk average amount).
    case amountLogRatioUser
    /// z-score of log(1 + amount) against the category's fitted log-amount distribution.
    case amountZCategory
    /// Cyclic hour of day (UTC clock of the timestamp).
    case hourSin
    case hourCos
    /// −log(24 · p), p the smoothed probability of this hour in the user's hour histogram (0 = uniform).
    case hourSurprise
    /// 1 on Saturday and Sunday.
    case isWeekend
    /// log(1 + seconds since the user's previous transaction); imputed from priors for the first one.
    case logSecondsSinceLast
    /// Transactions in the last 10 minutes, this one included.
    case count10m
    /// Transactions in the last hour, this one included.
    case count1h
    /// log((count in the last 24 h + 1) / (usual daily count + 1)).
    case count24hRatioLog
    /// log((spend in the last 24 h + 1) / (usual daily spend + 1)).
    case spend24hRatioLog
    /// log(1 + km from the user's home location estimate).
    case distanceHomeLog
    /// log(1 + implied km/h from the previous located transaction), capped.
    case travelSpeedLog
    /// 1 when the country was never seen for this user (who has seen countries before).
    case newCountry
    /// 1 when the country differs from the user's most frequent country.
    case foreignCountry
    /// 1 when the merchant is not among the user's frequent merchants (who has merchants before).
    case newMerchant
    /// Smoothed share of the user's transactions at this merchant.
    case merchantUserShare
    /// 1 when the category is not among the user's frequent categories (who has categories before).
    case newCategory
    /// Share of the user's transactions in this category, smoothed toward the global frequency.
    case categoryUserShare
    /// Global frequency of the category in the training data.
    case categoryGlobalFrequency
    /// One-hot channel (all zero when missing).
    case channelPOS
    case channelOnline
    case channelATM
    /// Share of the user's transactions on this channel, smoothed toward the global share.
    case channelUserShare
    /// log(1 + number of earlier transactions of the user): the cold-start signal.
    case historyLogCount
    /// Missingness flags (1 = the field was missing and its features were imputed).
    case locationMissing
    case countryMissing
    case categoryMissing
    case channelMissing
    case merchantMissing

    /// How the column enters the models.
    var inputRole: FeatureInputRole {
        switch self {
        case .amountZUser, .amountLogRatioUser, .amountZCategory, .hourSurprise, .count10m, .count1h,
            .count24hRatioLog, .spend24hRatioLog, .distanceHomeLog, .travelSpeedLog, .newCountry, .foreignCountry,
            .newMerchant, .newCategory:
            .riskHigh
        case .logSecondsSinceLast, .merchantUserShare, .categoryUserShare, .channelUserShare: .riskLow
        case .isWeekend, .historyLogCount: .ignored
        case .amountLog, .hourSin, .hourCos, .categoryGlobalFrequency, .channelPOS, .channelOnline, .channelATM,
            .locationMissing, .countryMissing, .categoryMissing, .channelMissing, .merchantMissing:
            .context
        }
    }

    /// The column's schema name.
    var name: String {
        switch self {
        case .amountLog: "amount_log"
        case .amountZUser: "amount_z_user"
        case .amountLogRatioUser: "amount_log_ratio_user"
        case .amountZCategory: "amount_z_category"
        case .hourSin: "hour_sin"
        case .hourCos: "hour_cos"
        case .hourSurprise: "hour_surprise"
        case .isWeekend: "is_weekend"
        case .logSecondsSinceLast: "log_seconds_since_last"
        case .count10m: "count_10m"
        case .count1h: "count_1h"
        case .count24hRatioLog: "count_24h_ratio_log"
        case .spend24hRatioLog: "spend_24h_ratio_log"
        case .distanceHomeLog: "distance_home_log"
        case .travelSpeedLog: "travel_speed_log"
        case .newCountry: "new_country"
        case .foreignCountry: "foreign_country"
        case .newMerchant: "new_merchant"
        case .merchantUserShare: "merchant_user_share"
        case .newCategory: "new_category"
        case .categoryUserShare: "category_user_share"
        case .categoryGlobalFrequency: "category_global_frequency"
        case .channelPOS: "channel_pos"
        case .channelOnline: "channel_online"
        case .channelATM: "channel_atm"
        case .channelUserShare: "channel_user_share"
        case .historyLogCount: "history_log_count"
        case .locationMissing: "location_missing"
        case .countryMissing: "country_missing"
        case .categoryMissing: "category_missing"
        case .channelMissing: "channel_missing"
        case .merchantMissing: "merchant_missing"
        }
    }
}
