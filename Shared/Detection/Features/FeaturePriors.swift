import Domain
import Foundation

/// Population statistics fitted on training rows: category norms, the typical hour profile and spending, and the
/// cold-start prior every user's statistics are shrunk toward until they have history of their own.
///
/// Stored in the model bundle (`Codable`, snake_case keys) so serving computes features against the same priors as
/// training. Decoding validates every value.
public struct FeaturePriors: Sendable, Hashable, Codable {
    /// Typical amounts of one merchant category.
    public struct CategoryPrior: Sendable, Hashable, Codable {
        /// The category as it appears in `merchant_category`.
        public var name: String
        /// Share of training rows (with a category) in this category.
        public var frequency: Double
        /// Mean of log(1 + amount).
        public var logAmountMean: Double
        /// Standard deviation of log(1 + amount) (at least 0.1).
        public var logAmountSD: Double
        /// Median amount.
        public var medianAmount: Double

        /// Creates a category prior.
        public init(name: String, frequency: Double, logAmountMean: Double, logAmountSD: Double, medianAmount: Double) {
            self.name = name
            self.frequency = frequency
            self.logAmountMean = logAmountMean
            self.logAmountSD = logAmountSD
            self.medianAmount = medianAmount
        }

        enum CodingKeys: String, CodingKey {
            case name, frequency
            case logAmountMean = "log_amount_mean"
            case logAmountSD = "log_amount_sd"
            case medianAmount = "median_amount"
        }
    }

    /// Format version of the priors; decoding refuses others.
    public static let formatVersion = 1
    /// At most this many categories are kept (the most frequent); rarer ones use the global fallback.
    public static let maximumCategories = 1000

    /// How many transactions' worth of weight the population prior carries in a user's statistics.
    public var userPriorWeight: Double
    /// Global mean of log(1 + amount).
    public var logAmountMean: Double
    /// Global standard deviation of log(1 + amount).
    public var logAmountSD: Double
    /// Global mean amount.
    public var meanAmount: Double
    /// Global median amount (the fallback typical amount of unknown categories).
    public var medianAmount: Double
    /// Categories by decreasing frequency.
    public var categories: [CategoryPrior]
    /// Frequency assumed for a category absent from ``categories``.
    public var unseenCategoryFrequency: Double
    /// Probability of each hour of day (24 values, smoothed, summing to 1).
    public var hourDistribution: [Double]
    /// Share of pos, online and atm among rows with a channel.
    public var channelFrequencies: [Double]
    /// Typical transactions per user per day.
    public var dailyRate: Double

    private var categoryIndexStorage: [String: Int]

    /// Creates priors from explicit values (tests and hand-made priors); ``fit(_:userPriorWeight:)`` is the usual way.
    public init(
        userPriorWeight: Double = 5, logAmountMean: Double, logAmountSD: Double, meanAmount: Double,
        medianAmount: Double, categories: [CategoryPrior], unseenCategoryFrequency: Double, hourDistribution: [Double],
        channelFrequencies: [Double], dailyRate: Double
    ) throws(DetectionError) {
        self.userPriorWeight = userPriorWeight
        self.logAmountMean = logAmountMean
        self.logAmountSD = logAmountSD
        self.meanAmount = meanAmount
        self.medianAmount = medianAmount
        self.categories = categories
        self.unseenCategoryFrequency = unseenCategoryFrequency
        self.hourDistribution = hourDistribution
        self.channelFrequencies = channelFrequencies
        self.dailyRate = dailyRate
        self.categoryIndexStorage = [:]
        try validate()
        buildIndex()
    }

    /// Neutral priors for a system with no training data yet (and for tests): amounts around 50, uniform hours,
    /// one transaction a day, no known categories.
    public static let neutral: FeaturePriors = {
        let logMean = log1p(50.0)
        do {
            return try FeaturePriors(
                logAmountMean: logMean, logAmountSD: 1, meanAmount: 50, medianAmount: 50, categories: [],
                unseenCategoryFrequency: 0.01, hourDistribution: Array(repeating: 1.0 / 24, count: 24),
                channelFrequencies: [1.0 / 3, 1.0 / 3, 1.0 / 3], dailyRate: 1)
        } catch {
            preconditionFailure("neutral priors are valid by construction: \(error)")
        }
    }()

    /// The prior of `category`, or `nil` when it is not among the fitted categories.
    public func category(named category: String) -> CategoryPrior? {
        categoryIndexStorage[category].map { categories[$0] }
    }

    /// Index of `category` in ``categories``.
    func categoryIndex(_ category: String) -> Int? { categoryIndexStorage[category] }

    /// Expected frequency of a random row's category (Σ f²): the value imputed when the category is missing.
    var expectedCategoryFrequency: Double { categories.reduce(0) { $0 + $1.frequency * $1.frequency } }

    /// Expected channel share (Σ p²): the value imputed when the channel is missing.
    var expectedChannelShare: Double { channelFrequencies.reduce(0) { $0 + $1 * $1 } }

    private mutating func buildIndex() {
        categoryIndexStorage = Dictionary(
            categories.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Throws ``DetectionError/Code/corruptModel`` naming the first invalid value.
    func validate() throws(DetectionError) {
        func fail(_ field: String, _ reason: String) -> DetectionError {
            DetectionError(.corruptModel, "feature priors: \(field) \(reason)")
        }
        guard userPriorWeight.isFinite, userPriorWeight > 0 else { throw fail("user_prior_weight", "must be > 0") }
        guard logAmountMean.isFinite else { throw fail("log_amount_mean", "must be finite") }
        guard logAmountSD.isFinite, logAmountSD > 0 else { throw fail("log_amount_sd", "must be > 0") }
        guard meanAmount.isFinite, meanAmount >= 0 else { throw fail("mean_amount", "must be ≥ 0") }
        guard medianAmount.isFinite, medianAmount >= 0 else { throw fail("median_amount", "must be ≥ 0") }
        guard unseenCategoryFrequency.isFinite, unseenCategoryFrequency > 0, unseenCategoryFrequency <= 1 else {
            throw fail("unseen_category_frequency", "must be in (0, 1]")
        }
        guard hourDistribution.count == 24, hourDistribution.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw fail("hour_distribution", "must hold 24 positive values")
        }
        guard channelFrequencies.count == 3, channelFrequencies.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 })
        else { throw fail("channel_frequencies", "must hold 3 values in [0, 1]") }
        guard dailyRate.isFinite, dailyRate > 0 else { throw fail("daily_rate", "must be > 0") }
        guard categories.count <= Self.maximumCategories else {
            throw fail("categories", "has \(categories.count) entries, at most \(Self.maximumCategories)")
        }
        for c in categories {
            guard c.frequency.isFinite, c.frequency > 0, c.frequency <= 1, c.logAmountMean.isFinite,
                c.logAmountSD.isFinite, c.logAmountSD > 0, c.medianAmount.isFinite, c.medianAmount >= 0
            else { throw fail("categories[\(c.name)]", "has an invalid frequency or amount statistic") }
        }
    }

    enum CodingKeys: String, CodingKey {
        case version
        case userPriorWeight = "user_prior_weight"
        case logAmountMean = "log_amount_mean"
        case logAmountSD = "log_amount_sd"
        case meanAmount = "mean_amount"
        case medianAmount = "median_amount"
        case categories
        case unseenCategoryFrequency = "unseen_category_frequency"
        case hourDistribution = "hour_distribution"
        case channelFrequencies = "channel_frequencies"
        case dailyRate = "daily_rate"
    }

    /// Decodes and validates priors; throws ``DetectionError`` for another format version or invalid values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .version)
        guard version == Self.formatVersion else {
            throw DetectionError(
                .unsupportedVersion,
                "feature priors have format version \(version), this build reads \(Self.formatVersion)")
        }
        try self.init(
            userPriorWeight: c.decode(Double.self, forKey: .userPriorWeight),
            logAmountMean: c.decode(Double.self, forKey: .logAmountMean),
            logAmountSD: c.decode(Double.self, forKey: .logAmountSD),
            meanAmount: c.decode(Double.self, forKey: .meanAmount),
            medianAmount: c.decode(Double.self, forKey: .medianAmount),
            categories: c.decode([CategoryPrior].self, forKey: .categories),
            unseenCategoryFrequency: c.decode(Double.self, forKey: .unseenCategoryFrequency),
            hourDistribution: c.decode([Double].self, forKey: .hourDistribution),
            channelFrequencies: c.decode([Double].self, forKey: .channelFrequencies),
            dailyRate: c.decode(Double.self, forKey: .dailyRate))
    }

    /// Encodes the priors with their format version.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.formatVersion, forKey: .version)
        try c.encode(userPriorWeight, forKey: .userPriorWeight)
        try c.encode(logAmountMean, forKey: .logAmountMean)
        try c.encode(logAmountSD, forKey: .logAmountSD)
        try c.encode(meanAmount, forKey: .meanAmount)
        try c.encode(medianAmount, forKey: .medianAmount)
        try c.encode(categories, forKey: .categories)
        try c.encode(unseenCategoryFrequency, forKey: .unseenCategoryFrequency)
        try c.encode(hourDistribution, forKey: .hourDistribution)
        try c.encode(channelFrequencies, forKey: .channelFrequencies)
        try c.encode(dailyRate, forKey: .dailyRate)
    }

    /// Equal when every fitted value is equal.
    public static func == (a: FeaturePriors, b: FeaturePriors) -> Bool {
        a.userPriorWeight == b.userPriorWeight && a.logAmountMean == b.logAmountMean && a.logAmountSD == b.logAmountSD
            && a.meanAmount == b.meanAmount && a.medianAmount == b.medianAmount && a.categories == b.categories
            && a.unseenCategoryFrequency == b.unseenCategoryFrequency && a.hourDistribution == b.hourDistribution
            && a.channelFrequencies == b.channelFrequencies && a.dailyRate == b.dailyRate
    }

    /// Hashes a few identifying values (consistent with ``==(_:_:)``).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(categories)
        hasher.combine(logAmountMean)
        hasher.combine(dailyRate)
    }
}
