import Foundation

/// One synthetic card holder's habits: where they live, how much and when they spend, what and where they buy.
struct UserProfile: Sendable {
    struct Trip: Sendable {
        var firstDay: Int
        var endDay: Int
        var city: Int
    }

    var homeCity: Int
    var homeLatitude: Double
    var homeLongitude: Double
    /// Relative share of all normal transactions.
    var activity: Double
    /// log multiplier on every category's typical amount, and a factor on its spread.
    var spendShift: Double
    var spreadScale: Double
    /// Probability of each hour of day, and its cumulative distribution.
    var hourWeights: [Double]
    var hourCDF: [Double]
    /// Weekend activity relative to weekdays.
    var weekendFactor: Double
    /// First day (from the start of the period) the user transacts: late joiners are the data's cold starts.
    var joinDay: Int
    /// Favourite categories with a cumulative distribution over them.
    var favourites: [Int]
    var favouriteCDF: [Double]
    /// Merchants the user returns to, per favourite category (aligned with `favourites`), and how often.
    var regularMerchants: [[Int]]
    var repeatProbability: Double
    /// Multiplies the online share of categories sold both ways.
    var onlineAffinity: Double
    var trips: [Trip]

    /// Draws a profile from the catalog (all randomness from `rng`, so profiles are reproducible per user).
    init(rng: inout Xoshiro256StarStar, days: Int, merchantsPerCategory: Int) {
        homeCity = Self.pick(WorldCatalog.cities.map(\.weight), rng: &rng)
        let city = WorldCatalog.cities[homeCity]
        homeLatitude = city.latitude + rng.nextGaussian() * 0.06
        homeLongitude = city.longitude + rng.nextGaussian() * 0.08
        activity = exp(rng.nextGaussian() * 0.7)
        spendShift = rng.nextGaussian() * 0.5
        spreadScale = 0.6 + 0.6 * rng.nextUnit()

        // Active hours: a daily peak (most people by day, some in the evening, a few early birds and night owls)
        // over a small floor, so every hour is possible but most fall in the user's window.
        let kind = rng.nextUnit()
        let center: Double
        let width: Double
        if kind < 0.68 {
            center = 12.5 + rng.nextGaussian() * 1.5
            width = 3 + 1.5 * rng.nextUnit()
        } else if kind < 0.85 {
            center = 19.5 + rng.nextGaussian()
            width = 2 + rng.nextUnit()
        } else if kind < 0.95 {
            center = 8.5 + rng.nextGaussian()
            width = 2 + rng.nextUnit()
        } else {
            center = 23.5 + rng.nextGaussian()
            width = 2.5 + rng.nextUnit()
        }
        var weights = (0..<24).map { h -> Double in
            var d = abs(Double(h) + 0.5 - center).truncatingRemainder(dividingBy: 24)
            d = min(d, 24 - d)
            return 0.004 + exp(-d * d / (2 * width * width))
        }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        hourWeights = weights
        hourCDF = Self.cumulative(weights)
        weekendFactor = 0.6 + rng.nextUnit()
        joinDay = rng.nextUnit() < 0.12 ? rng.nextInt(below: max(1, days * 4 / 5)) : 0

        let favouriteCount = 3 + rng.nextInt(below: 3)
        var chosen: [Int] = []
        var categoryWeights = WorldCatalog.categories.map(\.weight)
        for _ in 0..<favouriteCount {
            let c = Self.pick(categoryWeights, rng: &rng)
            chosen.append(c)
            categoryWeights[c] = 0
        }
        favourites = chosen
        favouriteCDF = Self.cumulative(chosen.map { _ in 0.2 + rng.nextUnit() })
        regularMerchants = chosen.map { c in
            (0..<(1 + rng.nextInt(below: 4))).map { _ in
                c * merchantsPerCategory + rng.nextInt(below: merchantsPerCategory)
            }
        }
        repeatProbability = 0.2 + 0.7 * rng.nextUnit()
        onlineAffinity = 0.3 + 1.7 * rng.nextUnit()

        // A quarter of users travel: consistent stays elsewhere, half of them abroad.
        trips = []
        if rng.nextUnit() < 0.25, days >= 4 {
            for _ in 0..<(1 + rng.nextInt(below: 2)) {
                let length = 2 + rng.nextInt(below: 7)
                let first = joinDay + rng.nextInt(below: max(1, days - joinDay - length))
                trips.append(
                    Trip(
                        firstDay: first, endDay: min(days, first + length),
                        city: Self.travelCity(from: homeCity, rng: &rng)))
            }
        }
    }

    /// The trip under way on `day`, if any.
    func trip(on day: Int) -> Trip? {
        for t in trips where day >= t.firstDay && day < t.endDay { return t }
        return nil
    }

    static func travelCity(from home: Int, rng: inout Xoshiro256StarStar) -> Int {
        let homeCountry = WorldCatalog.cities[home].country
        let abroad = rng.nextUnit() < 0.5
        var weights = WorldCatalog.cities.enumerated().map { i, c -> Double in
            guard i != home else { return 0 }
            return (c.country == homeCountry) != abroad ? c.weight : 0
        }
        if weights.allSatisfy({ $0 == 0 }) { weights = WorldCatalog.cities.indices.map { $0 == home ? 0 : 1 } }
        return pick(weights, rng: &rng)
    }

    /// An index drawn with probability proportional to `weights`.
    static func pick(_ weights: [Double], rng: inout Xoshiro256StarStar) -> Int {
        let total = weights.reduce(0, +)
        var u = rng.nextUnit() * total
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return i }
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }

    static func cumulative(_ weights: [Double]) -> [Double] {
        let total = weights.reduce(0, +)
        var running = 0.0
        return weights.map {
            running += $0 / total
            return running
        }
    }

    /// An index drawn from a cumulative distribution.
    static func sample(_ cdf: [Double], rng: inout Xoshiro256StarStar) -> Int {
        let u = rng.nextUnit()
        var lo = 0
        var hi = cdf.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cdf[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
