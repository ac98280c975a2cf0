import Domain
import Foundation

/// The features of one transaction and the user's state after it.
public struct FeatureResult: Sendable, Hashable {
    /// Unscaled values in ``FeatureSchema/current`` order.
    public var values: [Float]
    /// Human-meaningful values for reasons.
    public var raw: RawFeatures
    /// The user's state with this transaction folded in; store it for the user's next transaction.
    public var nextState: UserState

    /// Creates a result.
    public init(values: [Float], raw: RawFeatures, nextState: UserState) {
        self.values = values
        self.raw = raw
        self.nextState = nextState
    }

    /// The values as the `FeatureVector` that travels to the inference service.
    public func featureVector(transactionID: String, userID: String = "", degraded: Bool) -> FeatureVector {
        FeatureVector(
            transactionID: transactionID, schemaVersion: FeatureSchema.current.version,
            values: values.map(Double.init), rawValues: raw.values, degraded: degraded, userID: userID)
    }
}

/// Computes a transaction's features from the user's past only: the one implementation used by offline replay
/// (``FeatureReplay``) and by the preprocessing service (state in Redis), so training and serving agree exactly.
///
/// `extract(_:state:)` is a pure function of (state before, transaction, priors). Timestamps older than the
/// user's latest are handled deterministically: the gap is clamped to 0, windows count back from the latest
/// timestamp, and the latest timestamp never moves backwards.
public struct FeatureExtractor: Sendable {
    /// The priors every user's statistics are shrunk toward.
    public let priors: FeaturePriors
    /// The schema of the values this extractor writes (always ``FeatureSchema/current``).
    public var schema: FeatureSchema { .current }

    private let expectedCategoryFrequency: Double
    private let expectedChannelShare: Double
    /// Category index by the FNV hash the state already computes, so the hot path hashes a category once.
    private let categoryByHash: [UInt32: Int]

    /// z-scores are clipped to ±this, so one absurd amount cannot dominate scaling and models.
    static let zScoreCap = 25.0
    /// Implied travel speeds are capped (km/h) and computed over at least 5 minutes, so two nearby transactions
    /// a second apart do not read as supersonic.
    static let speedCapKmh = 20_000.0
    static let minimumTravelHours = 5.0 / 60
    /// Points within this distance (km) count as the same place.
    static let placeRadiusKm = 50.0
    /// Days of population-rate exposure added to a user's own when estimating their daily rate.
    static let rateShrinkDays = 3.0

    /// Creates an extractor over fitted priors.
    public init(priors: FeaturePriors) {
        self.priors = priors
        self.expectedCategoryFrequency = priors.expectedCategoryFrequency
        self.expectedChannelShare = priors.expectedChannelShare
        var byHash: [UInt32: Int] = [:]
        var collided: Set<UInt32> = []
        for (i, c) in priors.categories.enumerated() {
            let h = StableHash.fnv1a32(c.name)
            if byHash.updateValue(i, forKey: h) != nil { collided.insert(h) }
        }
        for h in collided { byHash[h] = nil }  // colliding names fall back to the name lookup
        self.categoryByHash = byHash
    }

    /// Index of `category` in the priors, looked up by its hash and confirmed by name.
    private func categoryIndex(_ category: String, hash: UInt32) -> Int? {
        if let i = categoryByHash[hash], priors.categories[i].name == category { return i }
        return categoryByHash[hash] == nil ? priors.categoryIndex(category) : nil
    }

    /// The features of `transaction` given the user's state before it, and the state after it.
    public func extract(_ transaction: Transaction, state: UserState) -> FeatureResult {
        var next = state
        var raw = RawFeatures()
        var values = [Float](repeating: 0, count: FeatureColumn.allCases.count)
        values.withUnsafeMutableBufferPointer { out in
            advance(&next, with: transaction, into: out, raw: &raw, includeRaw: true)
        }
        return FeatureResult(values: values, raw: raw, nextState: next)
    }

    /// The core: writes the features of `t` into `out` (``FeatureSchema/current`` order), fills `raw` and folds
    /// `t` into `s`. `includeRaw: false` skips work only reasons need (the usual-hours window).
    func advance(
        _ s: inout UserState, with t: Transaction, into out: UnsafeMutableBufferPointer<Float>, raw: inout RawFeatures,
        includeRaw: Bool
    ) {
        func set(_ column: FeatureColumn, _ value: Double) { out[column.rawValue] = Float(value) }
        func flag(_ b: Bool) -> Double { b ? 1 : 0 }

        let k = priors.userPriorWeight
        let n = Double(s.count)
        let hasHistory = s.count > 0
        let ts = t.timestampMillis
        let now = hasHistory ? max(ts, s.lastMillis) : ts

        // Amount against the user (shrunk toward the population) and against the category.
        let amount = t.amount
        let logAmount = log1p(amount)
        let mean = (n * s.logAmountMean + k * priors.logAmountMean) / (n + k)
        let userVariance = hasHistory ? s.logAmountM2 / n : 0
        let variance = (n * userVariance + k * priors.logAmountSD * priors.logAmountSD) / (n + k)
        let sd = max(variance.squareRoot(), FeaturePriors.minimumLogSD)
        let average = (n * s.amountMean + k * priors.meanAmount) / (n + k)
        set(.amountLog, logAmount)
        set(.amountZUser, clampZ((logAmount - mean) / sd))
        set(.amountLogRatioUser, logAmount - log1p(average))
        raw.amount = amount
        raw.userAverageAmount = hasHistory ? s.amountMean : -1
        raw.amountRatioUser = hasHistory ? amount / max(s.amountMean, 0.01) : -1

        let categoryKey = t.merchantCategory.map(StableHash.fnv1a32)
        var categoryPrior: FeaturePriors.CategoryPrior?
        if let name = t.merchantCategory, let key = categoryKey, let i = categoryIndex(name, hash: key) {
            categoryPrior = priors.categories[i]
        }
        let categoryLogMean = categoryPrior?.logAmountMean ?? priors.logAmountMean
        let categoryLogSD = categoryPrior?.logAmountSD ?? priors.logAmountSD
        let categoryMedian = categoryPrior?.medianAmount ?? priors.medianAmount
        set(.amountZCategory, clampZ((logAmount - categoryLogMean) / max(categoryLogSD, FeaturePriors.minimumLogSD)))
        raw.categoryMedianAmount = categoryMedian
        raw.amountRatioCategory = amount / max(categoryMedian, 0.01)

        // Hour of day: cyclic position and how surprising this hour is for the user.
        let clock = TimeOfDay(millis: ts)
        let angle = 2 * Double.pi * clock.fractionalHour / 24
        set(.hourSin, sin(angle))
        set(.hourCos, cos(angle))
        let h = clock.hour
        let hourTotal = s.hourCounts.withElements { counts in
            var total = 0
            for c in counts { total += Int(c) }
            return total
        }
        // Each hour also lends half its count to its neighbours (people are not exact to the hour); the smoothed
        // histogram sums to 2 × total.
        let smoothed =
            Double(s.hourCounts[h]) + 0.5 * Double(s.hourCounts[(h + 23) % 24]) + 0.5
            * Double(s.hourCounts[(h + 1) % 24])
        let hourProbability = (smoothed + 2 * k * priors.hourDistribution[h]) / (2 * Double(hourTotal) + 2 * k)
        set(.hourSurprise, -log(24 * hourProbability))
        set(.isWeekend, flag(clock.weekday == 0 || clock.weekday == 6))
        raw.hour = Double(h)
        raw.minute = Double(clock.minute)
        raw.hourProbability = hourProbability
        if includeRaw, hourTotal >= 5, let window = Self.usualHours(s.hourCounts, total: hourTotal) {
            raw.usualHourStart = Double(window.start)
            raw.usualHourEnd = Double(window.end)
        }

        // Velocity: gap to the previous transaction and counts/spend in recent windows.
        let gapSeconds = hasHistory ? Double(max(0, ts - s.lastMillis)) / 1000 : -1
        set(.logSecondsSinceLast, log1p(hasHistory ? gapSeconds : 86_400 / priors.dailyRate))
        var count10m = 1
        var count1h = 1
        var count24h = 1
        var spend24h = amount
        s.recentMillis.withElements { times in
            s.recentAmounts.withElements { amounts in
                for i in times.indices {
                    let age = now - times[i]
                    if age < 86_400_000 {
                        count24h += 1
                        spend24h += Double(amounts[i])
                        if age < 3_600_000 {
                            count1h += 1
                            if age < 600_000 { count10m += 1 }
                        }
                    }
                }
            }
        }
        let spanDays = hasHistory ? Double(now - s.firstMillis) / 86_400_000 : 0
        let dailyRate = (n + Self.rateShrinkDays * priors.dailyRate) / (spanDays + Self.rateShrinkDays)
        let dailySpend = dailyRate * average
        set(.count10m, Double(count10m))
        set(.count1h, Double(count1h))
        set(.count24hRatioLog, log((Double(count24h) + 1) / (dailyRate + 1)))
        set(.spend24hRatioLog, log((spend24h + 1) / (dailySpend + 1)))
        raw.secondsSinceLast = gapSeconds
        raw.count10m = Double(count10m)
        raw.count1h = Double(count1h)
        raw.count24h = Double(count24h)
        raw.usualDailyCount = dailyRate
        raw.spend24h = spend24h
        raw.usualDailySpend = dailySpend
        raw.outOfOrder = flag(hasHistory && ts < s.lastMillis)

        // Location: distance from home and implied speed from the previous located transaction.
        var location: (lat: Double, lon: Double)?
        if let lat = t.latitude, let lon = t.longitude { location = (lat, lon) }
        if let here = location {
            if let home = Self.heaviest(s.places) {
                let km = Geo.distanceKm(Double(home.latitude), Double(home.longitude), here.lat, here.lon)
                set(.distanceHomeLog, log1p(km))
                raw.distanceHomeKm = km
            }
            if s.hasLastLocation {
                let km = Geo.distanceKm(s.lastLatitude, s.lastLongitude, here.lat, here.lon)
                let hours = Double(max(0, ts - s.lastLocationMillis)) / 3_600_000
                let speed = min(km / max(hours, Self.minimumTravelHours), Self.speedCapKmh)
                set(.travelSpeedLog, log1p(speed))
                raw.travelKm = km
                raw.travelMinutes = hours * 60
                raw.travelSpeedKmh = speed
            }
        }
        set(.locationMissing, flag(location == nil))
        raw.locationMissing = flag(location == nil)

        // Country, merchant and category novelty for this user.
        let countryKey = t.country.map(Self.countryKey)
        if let key = countryKey, s.countryObservations > 0 {
            let isNew = Self.count(of: key, in: s.countries) == 0
            let isForeign = Self.heaviest(s.countries)?.key != key
            set(.newCountry, flag(isNew))
            set(.foreignCountry, flag(isForeign))
            raw.newCountry = flag(isNew)
            raw.foreignCountry = flag(isForeign)
        }
        set(.countryMissing, flag(countryKey == nil))
        raw.countryMissing = flag(countryKey == nil)

        let merchantKey = t.merchantID.map(StableHash.fnv1a32)
        if let key = merchantKey {
            let seen = Self.count(of: key, in: s.merchants)
            let isNew = s.merchantObservations > 0 && seen == 0
            let share = Double(seen) / (Double(s.merchantObservations) + k)
            set(.newMerchant, flag(isNew))
            set(.merchantUserShare, share)
            raw.newMerchant = flag(isNew)
            raw.merchantShare = share
        }
        set(.merchantMissing, flag(merchantKey == nil))
        raw.merchantMissing = flag(merchantKey == nil)

        if let key = categoryKey {
            let frequency = categoryPrior?.frequency ?? priors.unseenCategoryFrequency
            let seen = Self.count(of: key, in: s.categories)
            let isNew = s.categoryObservations > 0 && seen == 0
            let share = (Double(seen) + k * frequency) / (Double(s.categoryObservations) + k)
            set(.newCategory, flag(isNew))
            set(.categoryUserShare, share)
            set(.categoryGlobalFrequency, frequency)
            raw.newCategory = flag(isNew)
            raw.categoryShare = share
        } else {
            set(.categoryUserShare, expectedCategoryFrequency)
            set(.categoryGlobalFrequency, expectedCategoryFrequency)
        }
        set(.categoryMissing, flag(categoryKey == nil))
        raw.categoryMissing = flag(categoryKey == nil)

        // Channel: one-hot and the user's share of it.
        if let channel = t.channel {
            let i = channel.index
            let known = Double(s.channelCounts[0]) + Double(s.channelCounts[1]) + Double(s.channelCounts[2])
            let share = (Double(s.channelCounts[i]) + k * priors.channelFrequencies[i]) / (known + k)
            set(.channelPOS, flag(i == 0))
            set(.channelOnline, flag(i == 1))
            set(.channelATM, flag(i == 2))
            set(.channelUserShare, share)
            raw.channel = Double(i + 1)
            raw.channelShare = share
        } else {
            set(.channelUserShare, expectedChannelShare)
            raw.channelShare = expectedChannelShare
        }
        set(.channelMissing, flag(t.channel == nil))
        raw.channelMissing = flag(t.channel == nil)

        set(.historyLogCount, log1p(n))
        raw.historyCount = n

        s.fold(t, logAmount: logAmount, countryKey: countryKey, merchantKey: merchantKey, categoryKey: categoryKey)
    }

    private func clampZ(_ z: Double) -> Double { min(max(z, -Self.zScoreCap), Self.zScoreCap) }

    /// Two ASCII letters as a key (country codes are validated upper-case pairs; longer text is hashed).
    static func countryKey(_ code: String) -> UInt32 {
        let bytes = Array(code.utf8)
        guard bytes.count == 2 else { return StableHash.fnv1a32(code) }
        return UInt32(bytes[0]) << 8 | UInt32(bytes[1])
    }

    static func count(of key: UInt32, in slots: InlineList8<UserState.Slot>) -> Int {
        slots.withElements { slots in
            for slot in slots where slot.key == key { return Int(slot.count) }
            return 0
        }
    }

    /// The slot with the highest count (the first on ties).
    static func heaviest(_ slots: InlineList8<UserState.Slot>) -> UserState.Slot? {
        var best: UserState.Slot?
        for slot in slots where slot.count > (best?.count ?? 0) { best = slot }
        return best
    }

    /// The place with the highest weight (the first on ties): the home location estimate.
    static func heaviest(_ places: InlineList8<UserState.Place>) -> UserState.Place? {
        var best: UserState.Place?
        for place in places where place.weight > (best?.weight ?? 0) { best = place }
        return best
    }

    /// The shortest circular run of hours holding at least 90% of the counts, as `[start, end)` hours (the
    /// earliest start on ties), by a two-pointer sweep over the doubled day.
    static func usualHours<Counts: RandomAccessCollection<UInt16>>(_ counts: Counts, total: Int) -> (
        start: Int, end: Int
    )? where Counts.Index == Int {
        precondition(counts.count == 24 && counts.startIndex == 0, "usual hours need 24 hourly counts")
        guard total > 0 else { return nil }
        let target = (total * 9 + 9) / 10
        var best: (start: Int, length: Int)?
        var end = 0
        var sum = 0
        for start in 0..<24 {
            while sum < target, end < start + 24 {
                sum += Int(counts[end % 24])
                end += 1
            }
            if sum >= target, end - start < (best?.length ?? 25) { best = (start, end - start) }
            sum -= Int(counts[start])
        }
        guard let best else { return nil }
        return (best.start, (best.start + best.length) % 24)
    }
}
