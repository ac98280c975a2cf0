/// Risk level of a scored transaction, ordered from least to most severe.
public enum RiskLevel: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case low
    case medium
    case high
    case critical

    private var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .critical: 3
        }
    }

    public static func < (lhs: RiskLevel, rhs: RiskLevel) -> Bool { lhs.rank < rhs.rank }
}

/// A raw, human-meaningful feature value (e.g. `amount_ratio_user` = 14.2) used to explain a score.
public struct NamedValue: Sendable, Hashable, Codable {
    public var name: String
    public var value: Double

    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// One reason a transaction scored as it did: a stable code plus a sentence for people.
public struct Reason: Sendable, Hashable, Codable {
    /// Stable machine code, e.g. `AMOUNT_HIGH`.
    public var code: String
    /// The feature the reason is about, e.g. `amount_ratio_user`.
    public var feature: String
    public var value: Double
    /// e.g. "amount is 14.2× this user's average".
    public var text: String

    public init(code: String, feature: String, value: Double, text: String) {
        self.code = code
        self.feature = feature
        self.value = value
        self.text = text
    }
}

/// Model input for one transaction: unscaled values in schema order plus raw values for reasons.
public struct FeatureVector: Sendable, Hashable {
    public var transactionID: String
    public var schemaVersion: UInt32
    public var values: [Double]
    /// Human-meaningful values for reasons, in the order the schema version defines (Detection's
    /// `RawFeatures.names`).
    public var rawValues: [Double]
    /// True when the user's state was unavailable and cold-start features were used.
    public var degraded: Bool
    /// The transaction's user; inference routes a canary's share of users by its hash (empty: the champion).
    public var userID: String

    public init(
        transactionID: String, schemaVersion: UInt32, values: [Double], rawValues: [Double], degraded: Bool,
        userID: String = ""
    ) {
        self.userID = userID
        self.transactionID = transactionID
        self.schemaVersion = schemaVersion
        self.values = values
        self.rawValues = rawValues
        self.degraded = degraded
    }
}

/// The scores of one transaction: calibrated per-model scores, the ensemble, the decision and its reasons.
public struct Score: Sendable, Hashable {
    public var transactionID: String
    /// Calibrated Isolation Forest score in [0, 1].
    public var isolationForest: Double
    /// Calibrated autoencoder score in [0, 1].
    public var autoencoder: Double
    /// Weighted ensemble of the calibrated scores, in [0, 1].
    public var ensemble: Double
    public var isAnomaly: Bool
    public var riskLevel: RiskLevel
    public var reasons: [Reason]
    public var modelVersion: String
    /// The supervised trees' probability in [0, 1], for bundles trained with analysts' labels (then ``ensemble``
    /// is the learned blend of the three scores); `nil` otherwise.
    public var supervised: Double?

    public init(
        transactionID: String, isolationForest: Double, autoencoder: Double, ensemble: Double, isAnomaly: Bool,
        riskLevel: RiskLevel, reasons: [Reason], modelVersion: String, supervised: Double? = nil
    ) {
        self.supervised = supervised
        self.transactionID = transactionID
        self.isolationForest = isolationForest
        self.autoencoder = autoencoder
        self.ensemble = ensemble
        self.isAnomaly = isAnomaly
        self.riskLevel = riskLevel
        self.reasons = reasons
        self.modelVersion = modelVersion
    }
}

/// A transaction with its score, as the gateway hands it to the alerts service.
public struct ScoredTransaction: Sendable, Hashable {
    public var transaction: Transaction
    public var score: Score
    public var degraded: Bool
    public var requestID: String
    /// When the gateway scored it, Unix milliseconds.
    public var scoredAtMillis: Int64

    public init(transaction: Transaction, score: Score, degraded: Bool, requestID: String, scoredAtMillis: Int64) {
        self.transaction = transaction
        self.score = score
        self.degraded = degraded
        self.requestID = requestID
        self.scoredAtMillis = scoredAtMillis
    }
}
