import Foundation

/// Makes the events of ``TransactionGenerator``: each user's normal traffic and the injected anomalies.
struct EventContext {
    private let startMillis: Int64
    private let endMillis: Int64
    private let days: Int
    private let merchantsPerCategory: Int
    private let categoryCDF: [Double]
    private var sequence: Int32 = 0

    private static let dayMillis: Int64 = 86_400_000
    private static let hourMillis: Int64 = 3_600_000

    init(configuration c: GeneratorConfiguration, merchantsPerCategory: Int) {
        startMillis = c.startMillis
        days = c.days
        endMillis = c.startMillis + Int64(c.days) * Self.dayMillis
        self.merchantsPerCategory = merchantsPerCategory
        categoryCDF = UserProfile.cumulative(WorldCatalog.categories.map(\.weight))
    }

    // MARK: - Normal traffic

    /// Appends `count` normal events of one user, following their rhythm.
    mutating func normalEvents(
        user: Int, profile p: UserProfile, count: Int, rng: inout Xoshiro256StarStar,
        into events: inout [GeneratedEvent]
    ) {
        // Day weights: active from the join day, weekends scaled, and a slow personal drift of activity.
        let startWeekday = TimeOfDay(millis: startMillis).weekday
        var dayWeights = [Double](repeating: 0, count: days)
        var drift = 1.0
        for d in p.joinDay..<days {
            drift = min(max(drift * exp(rng.nextGaussian() * 0.08), 0.4), 2.5)
            let weekday = (startWeekday + d) % 7
            dayWeights[d] = (weekday == 0 || weekday == 6 ? p.weekendFactor : 1) * drift
        }
        let dayCDF = UserProfile.cumulative(dayWeights)
        var previous: Int64 = -1
        for _ in 0..<count {
            var t: Int64
            if previous >= 0, rng.nextUnit() < 0.06 {
                // A short shopping session: another purchase a few minutes later.
                t = min(previous + 60_000 + Int64(rng.nextInt(below: 840)) * 1000, endMillis - 1000)
            } else {
                let day = UserProfile.sample(dayCDF, rng: &rng)
                t =
                    dayStart(day) + Int64(UserProfile.sample(p.hourCDF, rng: &rng)) * Self.hourMillis
                    + Int64(rng.nextInt(below: 3600)) * 1000
            }
            previous = t
            let day = Int((t - startMillis) / Self.dayMillis)
            let category: Int
            if rng.nextUnit() < 0.8 {
                category = p.favourites[UserProfile.sample(p.favouriteCDF, rng: &rng)]
            } else {
                category = UserProfile.sample(categoryCDF, rng: &rng)
            }
            let channel = pickChannel(category: category, affinity: p.onlineAffinity, rng: &rng)
            var merchant = randomMerchant(category, rng: &rng)
            if let slot = p.favourites.firstIndex(of: category), rng.nextUnit() < p.repeatProbability {
                let regulars = p.regularMerchants[slot]
                merchant = regulars[rng.nextInt(below: regulars.count)]
            }
            var logAmount =
                typicalLogAmount(category, p) + p.spreadScale * WorldCatalog.categories[category].logSD
                * rng.nextGaussian()
            if rng.nextUnit() < 0.02 { logAmount += 1.3 + 0.4 * rng.nextGaussian() }  // an occasional big purchase
            let city = p.trip(on: day)?.city ?? p.homeCity
            var event = makeEvent(
                t, user: user, category: category, channel: channel, merchant: merchant, logAmount: logAmount,
                city: city, profile: p, anomaly: 0, rng: &rng)
            // Real feeds lose fields now and then.
            if rng.nextUnit() < 0.005 { event.category = -1 }
            if rng.nextUnit() < 0.005 { event.channel = -1 }
            if rng.nextUnit() < 0.01 { event.merchant = -1 }
            if rng.nextUnit() < 0.003 { event.countryCity = -1 }
            if event.channel != 1, rng.nextUnit() < 0.005 {
                event.latitude = .nan
                event.longitude = .nan
            }
            events.append(event)
        }
    }

    // MARK: - Anomalies

    /// Appends one anomaly of `type` (a burst of up to `limit` rows for rapid succession) for `user`, placed
    /// around `anchor`, one of the user's normal events; returns the rows added.
    mutating func inject(
        _ type: InjectedAnomaly, user: Int, profile p: UserProfile, anchor: GeneratedEvent, limit: Int,
        rng: inout Xoshiro256StarStar, into events: inout [GeneratedEvent]
    ) -> Int {
        let label = UInt8((InjectedAnomaly.allCases.firstIndex(of: type) ?? 0) + 1)
        let anchorDay = Int((anchor.millis - startMillis) / Self.dayMillis)
        switch type {
        case .highAmount:
            let category =
                rng.nextUnit() < 0.6
                ? WorldCatalog.fraudCategories[rng.nextInt(below: WorldCatalog.fraudCategories.count)]
                : p.favourites[rng.nextInt(below: p.favourites.count)]
            let t = usualTime(day: anchorDay, p, rng: &rng)
            let logAmount = typicalLogAmount(category, p) + log(5) + rng.nextUnit() * log(8)
            events.append(
                makeEvent(
                    t, user: user, category: category,
                    channel: pickChannel(category: category, affinity: p.onlineAffinity, rng: &rng),
                    merchant: randomMerchant(category, rng: &rng), logAmount: logAmount, city: p.homeCity, profile: p,
                    anomaly: label, rng: &rng))
            return 1

        case .rapidSuccession:
            let size = min(3 + rng.nextInt(below: 4), limit)
            let cardTesting = rng.nextUnit() < 0.5
            let atm = rng.nextUnit() < 0.25
            var t = usualTime(day: anchorDay, p, rng: &rng)
            for i in 0..<size {
                let category =
                    atm
                    ? WorldCatalog.cashCategory
                    : WorldCatalog.fraudCategories[rng.nextInt(below: 2)]  // shopping_net or misc_net
                var logAmount = typicalLogAmount(category, p)
                if cardTesting, !atm, i < min(2, size - 1) {
                    logAmount = log(0.5 + 4.5 * rng.nextUnit())
                } else {
                    logAmount += log(1.5) + rng.nextUnit() * log(5)
                }
                events.append(
                    makeEvent(
                        t, user: user, category: category, channel: atm ? 2 : 1,
                        merchant: randomMerchant(category, rng: &rng), logAmount: logAmount, city: p.homeCity,
                        profile: p, anomaly: label, rng: &rng))
                t = min(t + 15_000 + Int64(rng.nextInt(below: 165)) * 1000, endMillis - 1000)
            }
            return size

        case .unusualLocation:
            let city = Self.farCity(from: p, rng: &rng)
            let t = min(anchor.millis + 20 * 60_000 + Int64(rng.nextInt(below: 220 * 60)) * 1000, endMillis - 1000)
            let atm = rng.nextUnit() < 0.3
            let category =
                atm
                ? WorldCatalog.cashCategory
                : WorldCatalog.cardPresentCategories[rng.nextInt(below: WorldCatalog.cardPresentCategories.count)]
            events.append(
                makeEvent(
                    t, user: user, category: category, channel: atm ? 2 : 0,
                    merchant: randomMerchant(category, rng: &rng),
                    logAmount: typicalLogAmount(category, p) + rng.nextUnit() * log(5), city: city, profile: p,
                    anomaly: label, rng: &rng))
            return 1

        case .unusualTime:
            let hour = Self.unusualHour(p, rng: &rng)
            let t = dayStart(anchorDay) + Int64(hour) * Self.hourMillis + Int64(rng.nextInt(below: 3600)) * 1000
            let category =
                rng.nextUnit() < 0.5
                ? WorldCatalog.fraudCategories[rng.nextInt(below: WorldCatalog.fraudCategories.count)]
                : p.favourites[rng.nextInt(below: p.favourites.count)]
            events.append(
                makeEvent(
                    t, user: user, category: category,
                    channel: pickChannel(category: category, affinity: p.onlineAffinity, rng: &rng),
                    merchant: randomMerchant(category, rng: &rng),
                    logAmount: typicalLogAmount(category, p) + rng.nextUnit() * log(4), city: p.homeCity, profile: p,
                    anomaly: label, rng: &rng))
            return 1

        case .cardFraud:
            return injectCardFraud(user: user, profile: p, anchorDay: anchorDay, limit: limit, label: label, rng: &rng, into: &events)
        }
    }

    /// A Sparkov-like fraud episode: 3–10 transactions over 1–3 days from `anchorDay`, 80 % between 22:00 and
    /// 03:59, in grocery_pos (≈ $300, at a shop near home) or shopping_net / misc_net (≈ $250–1,000, online),
    /// whatever the user's habits.
    private mutating func injectCardFraud(
        user: Int, profile p: UserProfile, anchorDay: Int, limit: Int, label: UInt8, rng: inout Xoshiro256StarStar,
        into events: inout [GeneratedEvent]
    ) -> Int {
        let size = min(3 + rng.nextInt(below: 8), limit)
        let span = 1 + rng.nextInt(below: 3)
        let names = ["grocery_pos", "shopping_net", "misc_net"]
        let categories = names.compactMap { name in WorldCatalog.categories.firstIndex { $0.name == name } }
        let medians = [300.0, 850.0, 600.0]
        for _ in 0..<size {
            let day = anchorDay + rng.nextInt(below: span)
            let t: Int64
            if rng.nextUnit() < 0.8 {
                let hour = (22 + rng.nextInt(below: 6)) % 24
                t = dayStart(day + (hour < 22 ? 1 : 0)) + Int64(hour) * Self.hourMillis
                    + Int64(rng.nextInt(below: 3600)) * 1000
            } else {
                t = usualTime(day: day, p, rng: &rng)
            }
            let k = rng.nextInt(below: categories.count)
            let category = categories[k]
            events.append(
                makeEvent(
                    t, user: user, category: category, channel: k == 0 ? 0 : 1,
                    merchant: randomMerchant(category, rng: &rng),
                    logAmount: log(medians[k]) + rng.nextGaussian() * 0.35, city: p.homeCity, profile: p,
                    anomaly: label, rng: &rng))
        }
        return size
    }

    /// A city at least 1,500 km from home (the farthest few when none is), mostly abroad.
    static func farCity(from p: UserProfile, rng: inout Xoshiro256StarStar) -> Int {
        let far = WorldCatalog.cities.indices.filter {
            Geo.distanceKm(
                p.homeLatitude, p.homeLongitude, WorldCatalog.cities[$0].latitude,
                WorldCatalog.cities[$0].longitude) > 1500
        }
        guard !far.isEmpty else { return (p.homeCity + WorldCatalog.cities.count / 2) % WorldCatalog.cities.count }
        return far[rng.nextInt(below: far.count)]
    }

    /// An hour the user almost never uses, preferring 00–05 (when card fraud concentrates).
    static func unusualHour(_ p: UserProfile, rng: inout Xoshiro256StarStar) -> Int {
        let peak = p.hourWeights.max() ?? 0
        let quiet = (0..<24).filter { p.hourWeights[$0] < 0.05 * peak }
        let night = quiet.filter { $0 <= 5 }
        let pool =
            !night.isEmpty
            ? night
            : !quiet.isEmpty
                ? quiet
                : (0..<24).sorted { p.hourWeights[$0] < p.hourWeights[$1] }
                    .prefix(4).map { $0 }
        return pool[rng.nextInt(below: pool.count)]
    }

    // MARK: - Helpers

    private func dayStart(_ day: Int) -> Int64 { startMillis + Int64(min(max(day, 0), days - 1)) * Self.dayMillis }

    /// A time on `day` at one of the user's usual hours.
    private func usualTime(day: Int, _ p: UserProfile, rng: inout Xoshiro256StarStar) -> Int64 {
        dayStart(day) + Int64(UserProfile.sample(p.hourCDF, rng: &rng)) * Self.hourMillis
            + Int64(rng.nextInt(below: 3600)) * 1000
    }

    private func typicalLogAmount(_ category: Int, _ p: UserProfile) -> Double {
        log(WorldCatalog.categories[category].median) + p.spendShift
    }

    private func randomMerchant(_ category: Int, rng: inout Xoshiro256StarStar) -> Int {
        category * merchantsPerCategory + rng.nextInt(below: merchantsPerCategory)
    }

    private func pickChannel(category: Int, affinity: Double, rng: inout Xoshiro256StarStar) -> Int8 {
        let c = WorldCatalog.categories[category].channels
        let online = c.online * affinity
        let u = rng.nextUnit() * (c.pos + online + c.atm)
        if u < c.pos { return 0 }
        if u < c.pos + online { return 1 }
        return 2
    }

    private mutating func makeEvent(
        _ t: Int64, user: Int, category: Int, channel: Int8, merchant: Int, logAmount: Double, city: Int,
        profile p: UserProfile, anomaly: UInt8, rng: inout Xoshiro256StarStar
    ) -> GeneratedEvent {
        var cents = Int64((exp(logAmount) * 100).rounded())
        if category == WorldCatalog.cashCategory, anomaly == 0 || channel == 2 {
            cents = max(2000, (cents + 1000) / 2000 * 2000)  // ATMs dispense multiples of 20
        }
        cents = min(max(cents, 50), 100_000_000_000)
        var latitude = Double.nan
        var longitude = Double.nan
        var countryCity = Int16(p.homeCity)
        if channel == 1 {
            // Online: usually no location; sometimes the billing address.
            if rng.nextUnit() < 0.25 {
                latitude = p.homeLatitude
                longitude = p.homeLongitude
            }
        } else {
            let here = WorldCatalog.cities[city]
            let baseLat = city == p.homeCity ? p.homeLatitude : here.latitude
            let baseLon = city == p.homeCity ? p.homeLongitude : here.longitude
            latitude = min(max(baseLat + rng.nextGaussian() * 0.04, -89.9), 89.9)
            longitude = baseLon + rng.nextGaussian() * 0.05
            if longitude > 180 { longitude -= 360 } else if longitude < -180 { longitude += 360 }
            countryCity = Int16(city)
        }
        sequence += 1
        return GeneratedEvent(
            millis: min(max(t, startMillis), endMillis - 1000), user: Int32(user), sequence: sequence,
            amountCents: cents, merchant: Int32(merchant), category: Int16(category), channel: channel,
            anomaly: anomaly, latitude: (latitude * 1e5).rounded() / 1e5, longitude: (longitude * 1e5).rounded() / 1e5,
            countryCity: countryCity)
    }
}
