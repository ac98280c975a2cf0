import Domain
import Foundation
import Testing

@testable import Detection

/// Hand-built histories with known answers.
@Suite struct FeatureExtractorTests {
    let extractor = FeatureExtractor(priors: .neutral)
    let base: Int64 = 1_714_521_600_000  // 2024-05-01T00:00:00Z, a Wednesday

    func tx(
        _ minute: Double, amount: Double = 20, lat: Double? = nil, lon: Double? = nil, country: String? = nil,
        merchant: String? = "m1", category: String? = "grocery_pos", channel: Channel? = .pos
    ) -> Transaction {
        Transaction(
            transactionID: "t\(minute)", userID: "u1", timestampMillis: base + Int64(minute * 60_000), amount: amount,
            merchantID: merchant, merchantCategory: category, channel: channel, latitude: lat, longitude: lon,
            country: country)
    }

    /// Runs `transactions` through the extractor from a cold state; returns every result.
    func run(_ transactions: [Transaction]) -> [FeatureResult] {
        var state = UserState()
        return transactions.map { t in
            let r = extractor.extract(t, state: state)
            state = r.nextState
            return r
        }
    }

    func column(_ name: String, _ r: FeatureResult) throws -> Float {
        r.values[try #require(FeatureSchema.current.index(of: name))]
    }

    @Test func fourthTransactionInTenMinutes() throws {
        let results = run([tx(0), tx(2), tx(5), tx(8), tx(30), tx(200)])
        #expect(results.map(\.raw.count10m) == [1, 2, 3, 4, 1, 1])
        #expect(results.map(\.raw.count1h) == [1, 2, 3, 4, 5, 1])
        #expect(results.map(\.raw.count24h) == [1, 2, 3, 4, 5, 6])
        #expect(try column("count_10m", results[3]) == 4)
        #expect(results[3].raw.secondsSinceLast == 180)
        #expect(results[0].raw.secondsSinceLast == -1)
        #expect(results[5].raw.spend24h == 120)
    }

    @Test func distanceAndSpeedBetweenKnownCities() throws {
        // Paris → London is 343.5 km great-circle.
        let results = run([
            tx(0, lat: 48.8566, lon: 2.3522, country: "FR"), tx(60, lat: 51.5074, lon: -0.1278, country: "GB"),
        ])
        let london = results[1].raw
        #expect(abs(london.distanceHomeKm - 343.5) < 1.5)
        #expect(abs(london.travelKm - 343.5) < 1.5)
        #expect(abs(london.travelMinutes - 60) < 1e-9)
        #expect(abs(london.travelSpeedKmh - 343.5) < 1.5)
        #expect(london.newCountry == 1 && london.foreignCountry == 1)
        #expect(abs(Double(try column("distance_home_log", results[1])) - log1p(london.distanceHomeKm)) < 1e-4)
        #expect(results[0].raw.distanceHomeKm == -1)  // no home before the first located transaction
        #expect(results[0].raw.newCountry == 0)  // nothing to be new against
    }

    @Test func impossibleTravelSpeedIsCappedAndUsesAMinimumInterval() {
        let results = run([tx(0, lat: 40.7128, lon: -74.0060), tx(0.5, lat: 48.8566, lon: 2.3522)])
        // 5,837 km in 30 s, computed over the 5-minute minimum: ~70,000 km/h, capped at 20,000.
        #expect(results[1].raw.travelSpeedKmh == FeatureExtractor.speedCapKmh)
        #expect(results[1].raw.travelKm > 5800)
    }

    @Test func amountAgainstTheUsersAverage() throws {
        let results = run([
            tx(0, amount: 10), tx(100, amount: 10), tx(200, amount: 10), tx(300, amount: 10), tx(400, amount: 142),
        ])
        let last = results[4]
        #expect(abs(last.raw.amountRatioUser - 14.2) < 1e-9)
        #expect(last.raw.userAverageAmount == 10)
        #expect(try column("amount_z_user", last) > 2)
        #expect(results[0].raw.amountRatioUser == -1)
        #expect(abs(Double(try column("amount_log", last)) - log1p(142)) < 1e-5)
    }

    @Test func amountAgainstTheCategoryPrior() throws {
        let priors = try FeaturePriors(
            logAmountMean: log1p(50), logAmountSD: 1, meanAmount: 50, medianAmount: 50,
            categories: [
                .init(
                    name: "grocery_pos", frequency: 0.6, logAmountMean: log1p(40), logAmountSD: 0.5, medianAmount: 40),
                .init(name: "travel", frequency: 0.4, logAmountMean: log1p(300), logAmountSD: 1, medianAmount: 300),
            ],
            unseenCategoryFrequency: 0.001, hourDistribution: Array(repeating: 1.0 / 24, count: 24),
            channelFrequencies: [0.5, 0.4, 0.1], dailyRate: 2)
        let e = FeatureExtractor(priors: priors)
        let grocery = e.extract(tx(0, amount: 400), state: UserState())
        #expect(grocery.raw.amountRatioCategory == 10)
        #expect(grocery.raw.categoryMedianAmount == 40)
        let unknown = e.extract(tx(0, amount: 400, category: "yachts"), state: UserState())
        #expect(unknown.raw.categoryMedianAmount == 50)  // global fallback
        let i = try #require(FeatureSchema.current.index(of: "category_global_frequency"))
        #expect(grocery.values[i] == 0.6)
        #expect(unknown.values[i] == Float(0.001))
        #expect(
            abs(
                Double(grocery.values[try #require(FeatureSchema.current.index(of: "amount_z_category"))])
                    - (log1p(400) - log1p(40)) / 0.5) < 1e-4)
    }

    @Test func hourFeaturesAndUsualHours() throws {
        var history: [Transaction] = []
        for day in 0..<10 {
            for hour in [9, 11, 13, 15, 17] { history.append(tx(Double(day * 1440 + hour * 60 + 5))) }
        }
        history.append(tx(Double(10 * 1440 + 3 * 60 + 12)))  // 03:12
        let results = run(history)
        let night = try #require(results.last)
        #expect(night.raw.hour == 3 && night.raw.minute == 12)
        #expect(night.raw.usualHourStart == 9)
        #expect(night.raw.usualHourEnd == 18)
        let usual = results[results.count - 2]  // 17:05
        #expect(try column("hour_surprise", night) > column("hour_surprise", usual) + 2)
        let angle = 2 * Double.pi * (3 + 12.0 / 60) / 24
        #expect(abs(Double(try column("hour_sin", night)) - sin(angle)) < 1e-5)
        #expect(abs(Double(try column("hour_cos", night)) - cos(angle)) < 1e-5)
        #expect(results[0].raw.usualHourStart == -1)
    }

    @Test func usualHoursWrapAroundMidnight() {
        var counts = [UInt16](repeating: 0, count: 24)
        for h in [22, 23, 0, 1, 2] { counts[h] = 10 }
        counts[12] = 1
        let window = FeatureExtractor.usualHours(counts, total: 51)
        #expect(window?.start == 22)
        #expect(window?.end == 3)
    }

    @Test func noveltyFlags() {
        let results = run([
            tx(0, country: "US", merchant: "a", category: "grocery_pos"),
            tx(60, country: "US", merchant: "a", category: "grocery_pos"),
            tx(120, country: "CA", merchant: "b", category: "travel"),
            tx(180, country: "CA", merchant: "b", category: "travel"),
        ])
        #expect(results.map(\.raw.newMerchant) == [0, 0, 1, 0])
        #expect(results.map(\.raw.newCategory) == [0, 0, 1, 0])
        #expect(results.map(\.raw.newCountry) == [0, 0, 1, 0])
        #expect(results.map(\.raw.foreignCountry) == [0, 0, 1, 1])
        #expect(results.map(\.raw.historyCount) == [0, 1, 2, 3])
    }

    @Test func missingValuesAreImputedAndFlagged() throws {
        let r = extractor.extract(
            tx(0, merchant: nil, category: nil, channel: nil), state: UserState())
        for name in ["location_missing", "country_missing", "category_missing", "channel_missing", "merchant_missing"] {
            #expect(try column(name, r) == 1, "\(name)")
        }
        #expect(try column("channel_pos", r) == 0 && column("channel_online", r) == 0 && column("channel_atm", r) == 0)
        #expect(r.values.allSatisfy { $0.isFinite })
        #expect(r.raw.channel == 0)
    }

    @Test func outOfOrderTransactionsAreClampedDeterministically() throws {
        let results = run([tx(0), tx(50), tx(30)])
        let late = results[2]
        #expect(late.raw.outOfOrder == 1)
        #expect(late.raw.secondsSinceLast == 0)
        #expect(late.nextState.latestTimestampMillis == base + 50 * 60_000)
        #expect(late.raw.count1h == 3)  // windows count back from the latest timestamp
        #expect(late.values.allSatisfy { $0.isFinite })
    }

    @Test func featuresAreAlwaysFiniteForWildInputs() {
        var rng = Xoshiro256StarStar(seed: 3)
        var state = UserState()
        for i in 0..<3000 {
            let located = rng.nextUnit() < 0.5
            let t = Transaction(
                transactionID: "t\(i)", userID: "u",
                timestampMillis: base + Int64(rng.nextInt(below: 1_000_000_000)) - 500_000_000,
                amount: rng.nextUnit() < 0.1 ? 0 : (rng.nextUnit() < 0.05 ? 1e9 : rng.nextUnit() * 500),
                merchantID: rng.nextUnit() < 0.2 ? nil : "m\(rng.nextInt(below: 40))",
                merchantCategory: rng.nextUnit() < 0.2 ? nil : "c\(rng.nextInt(below: 12))",
                channel: rng.nextUnit() < 0.2 ? nil : Channel.allCases[rng.nextInt(below: 3)],
                latitude: located ? rng.nextUnit() * 180 - 90 : nil,
                longitude: located ? rng.nextUnit() * 360 - 180 : nil,
                country: rng.nextUnit() < 0.3 ? nil : ["US", "FR", "JP", "BR", "ZA", "AU"][rng.nextInt(below: 6)])
            let r = extractor.extract(t, state: state)
            #expect(r.values.allSatisfy { $0.isFinite }, "row \(i)")
            #expect(r.raw.namedValues.allSatisfy { $0.value.isFinite }, "row \(i)")
            state = r.nextState
        }
        #expect(state.serialized().count <= 1024)
    }

    @Test func rawValuesTravelInNameOrder() {
        let r = run([tx(0, amount: 10), tx(3, amount: 50, lat: 1, lon: 2)])[1]
        #expect(r.raw.values.count == RawFeatures.names.count)
        #expect(RawFeatures(values: r.raw.values) == r.raw)
        #expect(RawFeatures(values: r.raw.values.dropLast()) == nil)
        #expect(r.raw.values[RawFeatures.names.firstIndex(of: "amount")!] == 50)
        let named = r.raw.namedValues
        #expect(named.count == RawFeatures.names.count)
        #expect(RawFeatures(namedValues: named) == r.raw)
        #expect(RawFeatures(namedValues: named + [NamedValue(name: "from_a_newer_sender", value: 1)]) == r.raw)
        #expect(RawFeatures(namedValues: named.reversed()) == r.raw)
        let vector = r.featureVector(transactionID: "t", degraded: false)
        #expect(vector.values.map(Float.init) == r.values)
        #expect(vector.rawValues == r.raw.values)
        #expect(vector.schemaVersion == FeatureSchema.current.version)
    }

    @Test func schemaNamesAreUniqueAndValidated() throws {
        let schema = FeatureSchema.current
        #expect(Set(schema.names).count == schema.count)
        try schema.validate(columns: schema.count, version: schema.version)
        #expect(throws: DetectionError.self) { try schema.validate(columns: schema.count - 1, version: schema.version) }
        #expect(throws: DetectionError.self) { try schema.validate(columns: schema.count, version: schema.version + 1) }
    }
}
