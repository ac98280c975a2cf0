import Domain
import Testing

@testable import Detection

@Suite struct ReasonBuilderTests {
    let builder = ReasonBuilder()

    /// Contributions with the given strengths on named columns, zero elsewhere.
    func contributions(_ strengths: [String: Double]) -> [Double] {
        var c = [Double](repeating: 0, count: FeatureSchema.current.count)
        for (name, v) in strengths {
            if let i = FeatureSchema.current.index(of: name) { c[i] = v }
        }
        return c
    }

    func experienced() -> RawFeatures {
        var r = RawFeatures()
        r.historyCount = 120
        r.amount = 142
        r.userAverageAmount = 10
        r.amountRatioUser = 14.2
        r.hour = 3
        r.minute = 12
        r.usualHourStart = 9
        r.usualHourEnd = 18
        r.hourProbability = 0.002
        r.count10m = 4
        r.count1h = 4
        r.distanceHomeKm = 1240.4
        r.travelKm = 1240.4
        r.travelMinutes = 35
        r.travelSpeedKmh = 2126.4
        return r
    }

    @Test func sentencesFromTheSpec() {
        let raw = experienced()
        let amount = builder.reasons(raw: raw, contributions: contributions(["amount_z_user": 5]))
        #expect(
            amount == [
                Reason(
                    code: "AMOUNT_HIGH_FOR_USER", feature: "amount_ratio_user", value: 14.2,
                    text: "amount is 14.2× this user's average")
            ])
        let far = builder.reasons(raw: raw, contributions: contributions(["distance_home_log": 5]))
        #expect(far.first?.text == "1,240 km from the usual location")
        #expect(far.first?.code == "FAR_FROM_HOME")
        let burst = builder.reasons(raw: raw, contributions: contributions(["count_10m": 5]))
        #expect(burst.first?.text == "4th transaction in 10 minutes")
        #expect(burst.first?.code == "RAPID_SUCCESSION")
        let hour = builder.reasons(raw: raw, contributions: contributions(["hour_surprise": 5]))
        #expect(hour.first?.text == "03:12, outside usual hours 09–18")
        let travel = builder.reasons(raw: raw, contributions: contributions(["travel_speed_log": 5]))
        #expect(travel.first?.code == "IMPOSSIBLE_TRAVEL")
        #expect(travel.first?.text == "1,240 km from the previous transaction 35 minutes earlier (2,126 km/h)")
    }

    @Test func relatedColumnsMakeOneReason() {
        // Three hour columns at 0.2 each outweigh one amount column at 0.5.
        let c = contributions(["hour_sin": 0.2, "hour_cos": 0.2, "hour_surprise": 0.2, "amount_z_user": 0.5])
        let reasons = builder.reasons(raw: experienced(), contributions: c)
        #expect(reasons.map(\.code) == ["UNUSUAL_HOUR", "AMOUNT_HIGH_FOR_USER"])
    }

    @Test func limitsShareAndOrder() {
        let c = contributions([
            "amount_z_user": 4, "count_10m": 3, "distance_home_log": 2, "travel_speed_log": 1.5, "hour_surprise": 0.5,
        ])
        let reasons = builder.reasons(raw: experienced(), contributions: c)
        #expect(reasons.map(\.code) == ["AMOUNT_HIGH_FOR_USER", "RAPID_SUCCESSION", "FAR_FROM_HOME"])
        let strict = ReasonBuilder(maximumReasons: 5, minimumShare: 0.2)
        // 11 in total: only groups with at least 2.2 qualify.
        #expect(
            strict.reasons(raw: experienced(), contributions: c).map(\.code) == [
                "AMOUNT_HIGH_FOR_USER", "RAPID_SUCCESSION",
            ])
    }

    @Test func ordinaryValuesDoNotBecomeReasons() {
        var raw = experienced()
        raw.amountRatioUser = 1.1
        let reasons = builder.reasons(raw: raw, contributions: contributions(["amount_z_user": 5, "hour_cos": 0.1]))
        #expect(reasons.count == 1)
        #expect(reasons.first?.code == "UNUSUAL_COMBINATION")
        #expect(reasons.first?.text == "unusual combination of amount and hour of day for this user")
    }

    @Test func coldStartFallback() {
        var raw = RawFeatures()
        raw.historyCount = 0
        let none = builder.reasons(raw: raw, contributions: contributions([:]))
        #expect(none.map(\.code) == ["NEW_USER"])
        #expect(none.first?.text == "first transaction of this user, judged against population norms")
        raw.historyCount = 2
        let weak = builder.reasons(raw: raw, contributions: contributions(["amount_z_user": 1]))
        #expect(weak.first?.text == "new user: only 2 earlier transactions, judged against population norms")
    }

    @Test func namedValuesAndFloatContributionsGiveTheSameReasons() {
        let raw = experienced()
        let c = contributions(["amount_z_user": 4, "count_10m": 3])
        #expect(
            builder.reasons(raw: raw.namedValues, contributions: c.map(Float.init))
                == builder.reasons(raw: raw, contributions: c))
    }

    @Test func malformedContributionsAreTolerated() {
        let raw = experienced()
        #expect(builder.reasons(raw: raw, contributions: [.nan, .infinity]).isEmpty)
        #expect(
            !builder.reasons(raw: raw, contributions: Array(contributions(["amount_z_user": -3]).prefix(3))).isEmpty)
    }

    @Test func numberFormatting() {
        #expect(
            [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112].map(ReasonText.ordinal) == [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th",
            ])
        #expect(ReasonText.money(2340) == "2,340.00")
        #expect(ReasonText.money(0.5) == "0.50")
        #expect(ReasonText.kilometres(8.46) == "8.5 km")
        #expect(ReasonText.kilometres(1_234_567) == "1,234,567 km")
        #expect(ReasonText.ratio(14.2) == "14.2×")
        #expect(ReasonText.ratio(1240) == "1,240×")
        #expect(ReasonText.duration(minutes: 0.75) == "45 seconds")
        #expect(ReasonText.duration(minutes: 330) == "5.5 hours")
        #expect(ReasonText.hourRange(22, 3) == "22–03")
        #expect(ReasonText.percent(0.04) == "4%")
    }

    @Test func reasonsFromRealFeatures() {
        // A user who shops by day near Paris, then pays 03:12 in New York 30 minutes after a Paris purchase.
        let extractor = FeatureExtractor(priors: .neutral)
        var state = UserState()
        let base: Int64 = 1_714_521_600_000
        for day in 0..<20 {
            for hour in [10, 13, 17] {
                let time: Int64 = base + Int64(day * 86_400 + hour * 3600) * 1000
                let t = Transaction(
                    transactionID: "t\(day)-\(hour)", userID: "u", timestampMillis: time,
                    amount: 30, merchantID: "bakery", merchantCategory: "food", channel: .pos, latitude: 48.85,
                    longitude: 2.35, country: "FR")
                state = extractor.extract(t, state: state).nextState
            }
        }
        let parisSeconds: Int64 = 20 * 86_400 + 2 * 3600 + 42 * 60
        let parisTime: Int64 = base + parisSeconds * 1000
        let paris = Transaction(
            transactionID: "p", userID: "u", timestampMillis: parisTime,
            amount: 30, merchantID: "bakery", merchantCategory: "food", channel: .pos, latitude: 48.85, longitude: 2.35,
            country: "FR")
        state = extractor.extract(paris, state: state).nextState
        let fraudTime: Int64 = parisTime + 30 * 60_000
        let fraud = Transaction(
            transactionID: "f", userID: "u", timestampMillis: fraudTime,
            amount: 900, merchantID: "electronics", merchantCategory: "shopping", channel: .pos, latitude: 40.71,
            longitude: -74.0, country: "US")
        let r = extractor.extract(fraud, state: state)
        let c = contributions([
            "amount_z_user": 3, "travel_speed_log": 2.5, "distance_home_log": 2, "hour_surprise": 1, "new_country": 0.5,
        ])
        let reasons = ReasonBuilder(maximumReasons: 4).reasons(raw: r.raw.namedValues, contributions: c)
        #expect(reasons.map(\.code) == ["AMOUNT_HIGH_FOR_USER", "IMPOSSIBLE_TRAVEL", "FAR_FROM_HOME", "UNUSUAL_HOUR"])
        #expect(reasons[0].text == "amount is 30.0× this user's average")
        #expect(reasons[2].text == "5,837 km from the usual location")
        #expect(reasons[3].text == "03:12, outside usual hours 10–18")
    }
}
