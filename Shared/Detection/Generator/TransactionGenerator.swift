import Foundation

/// The anomaly types the generator injects (SPEC §3) and their shares of all anomalies.
public enum InjectedAnomaly: String, Sendable, CaseIterable {
    /// An amount far above the user's habit (5–40×), often at a new merchant in a category fraud favours.
    case highAmount = "high_amount"
    /// A burst of 3–6 transactions seconds to minutes apart (card testing or a spree), all labelled.
    case rapidSuccession = "rapid_succession"
    /// A card-present transaction in a far city shortly after one at home: impossible travel.
    case unusualLocation = "unusual_location"
    /// A transaction at hours the user never uses (mostly 00:00–05:59).
    case unusualTime = "unusual_time"
    /// Sparkov-like card fraud (``GeneratorConfiguration/Profile/sparkov`` only): a compromised card used over one
    /// to three days, mostly at night, for large online and grocery purchases, near home.
    case cardFraud = "card_fraud"

    /// The types of the standard profile's mix (SPEC §3).
    public static let standardMix: [InjectedAnomaly] = [.highAmount, .rapidSuccession, .unusualLocation, .unusualTime]

    /// Share of all injected anomalies (of the standard mix; card fraud is the whole of the Sparkov-like mix).
    public var share: Double {
        switch self {
        case .highAmount: 0.4
        case .rapidSuccession: 0.3
        case .unusualLocation: 0.2
        case .unusualTime: 0.1
        case .cardFraud: 1
        }
    }
}

/// Generates labelled synthetic card transactions: users with homes, spending levels, daily rhythms, favourite
/// categories and merchants, trips and occasional big purchases, plus injected anomalies (SPEC §3).
///
/// Amounts are in one billing currency (USD), as on the statements of one card programme: the features compare
/// amounts without converting currencies, so mixing currencies would make amounts incomparable.
///
/// Timestamps follow each user's own rhythm (rate, active hours, weekday effect, short shopping sessions), so
/// velocity features come from real history. Output is sorted by time and fully determined by the
/// configuration: the same seed gives the same rows, byte for byte (own PRNG, one independent stream per user).
public struct TransactionGenerator: Sendable {
    /// What to generate.
    public let configuration: GeneratorConfiguration

    static let merchantsPerCategory = 80

    /// Validates the configuration.
    public init(configuration: GeneratorConfiguration) throws(DetectionError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Generates the data set; `progress` gets (users done, users) while generating.
    public func generate(progress: ((_ done: Int, _ total: Int) -> Void)? = nil) -> GeneratedData {
        let c = configuration
        var nameRNG = Xoshiro256StarStar(seed: c.seed, stream: 0xC0FFEE)
        var merchantNames: [String] = []
        for category in WorldCatalog.categories.indices {
            for n in 0..<Self.merchantsPerCategory {
                merchantNames.append(WorldCatalog.merchantName(category: category, number: n, rng: &nameRNG))
            }
        }

        var profiles: [UserProfile] = []
        profiles.reserveCapacity(c.users)
        var userRNGs: [Xoshiro256StarStar] = []
        for u in 0..<c.users {
            var rng = Xoshiro256StarStar(seed: c.seed, stream: UInt64(u) + 1)
            profiles.append(UserProfile(rng: &rng, days: c.days, merchantsPerCategory: Self.merchantsPerCategory))
            userRNGs.append(rng)
        }
        let perUser = Self.apportion(c.count - c.anomalyCount, weights: profiles.map(\.activity))

        var events: [GeneratedEvent] = []
        events.reserveCapacity(c.count)
        var userRanges: [Range<Int>] = []
        var context = EventContext(configuration: c, merchantsPerCategory: Self.merchantsPerCategory)
        for u in 0..<c.users {
            let first = events.count
            context.normalEvents(
                user: u, profile: profiles[u], count: perUser[u], rng: &userRNGs[u], into: &events)
            userRanges.append(first..<events.count)
            if let progress, u % 256 == 255 || u == c.users - 1 { progress(u + 1, c.users) }
        }

        var anomalyRNG = Xoshiro256StarStar(seed: c.seed, stream: 0)
        let total = c.anomalyCount
        var remaining = total
        let mix = c.profile == .sparkov ? [InjectedAnomaly.cardFraud] : InjectedAnomaly.standardMix
        for (i, type) in mix.enumerated() {
            let n = i == mix.count - 1 ? remaining : Int((Double(total) * type.share).rounded())
            let quota = min(n, remaining)
            remaining -= quota
            var made = 0
            while made < quota {
                let u = anomalyRNG.nextInt(below: c.users)
                let anchor = events[userRanges[u].lowerBound + anomalyRNG.nextInt(below: userRanges[u].count)]
                made += context.inject(
                    type, user: u, profile: profiles[u], anchor: anchor, limit: quota - made, rng: &anomalyRNG,
                    into: &events)
            }
        }

        events.sort { a, b in
            a.millis != b.millis ? a.millis < b.millis : (a.user != b.user ? a.user < b.user : a.sequence < b.sequence)
        }
        return GeneratedData(configuration: c, events: events, merchantNames: merchantNames)
    }

    /// Splits `total` into integers proportional to `weights`, each at least 1, summing exactly to `total`
    /// (largest remainders, ties to the lower index).
    static func apportion(_ total: Int, weights: [Double]) -> [Int] {
        let n = weights.count
        let spare = total - n
        let sum = weights.reduce(0, +)
        let exact = weights.map { Double(spare) * $0 / sum }
        var shares = exact.map { Int($0.rounded(.down)) }
        var left = spare - shares.reduce(0, +)
        let order = (0..<n).sorted { a, b in
            let fa = exact[a] - Double(shares[a])
            let fb = exact[b] - Double(shares[b])
            return fa != fb ? fa > fb : a < b
        }
        var k = 0
        while left > 0 {
            shares[order[k % n]] += 1
            left -= 1
            k += 1
        }
        return shares.map { $0 + 1 }
    }
}

/// One generated row before formatting (compact, so millions fit easily and sort fast).
struct GeneratedEvent: Sendable {
    var millis: Int64
    var user: Int32
    /// Creation order, the last sort key, so equal timestamps order deterministically.
    var sequence: Int32
    var amountCents: Int64
    /// Index into the merchant names, -1 when missing.
    var merchant: Int32
    /// Index into ``WorldCatalog/categories``, -1 when missing.
    var category: Int16
    /// 0 pos, 1 online, 2 atm, -1 missing.
    var channel: Int8
    /// 0 normal, else 1 + index into ``InjectedAnomaly/allCases``.
    var anomaly: UInt8
    /// Location (NaN when missing) and the city whose country is reported (-1 when missing).
    var latitude: Double
    var longitude: Double
    var countryCity: Int16
}
