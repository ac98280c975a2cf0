import Testing

@testable import Domain

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2024-02-29T12:00:00Z", Int64(1_709_208_000_000)),
        ("2024-05-01T13:45:10.250Z", Int64(1_714_571_110_250)),
        ("2024-05-01T15:45:10.250+02:00", Int64(1_714_571_110_250)),
        ("2024-05-01 13:45:10.2509z", Int64(1_714_571_110_250)),
        ("1969-12-31T23:59:59.999Z", Int64(-1)),
    ])
    func parses(text: String, millis: Int64) {
        #expect(RFC3339.parseMillis(text) == millis)
    }

    @Test(arguments: [
        "", "2024-05-01", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-05-01T24:00:00Z",
        "2024-05-01T13:45:10", "2024-05-01T13:45:10.Z", "2024-05-01T13:45:10+2:00", "2024-05-01T13:45:10Zjunk",
    ])
    func refuses(text: String) {
        #expect(RFC3339.parseMillis(text) == nil)
    }

    @Test func formatsAndRoundTrips() {
        #expect(RFC3339.format(millis: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(millis: 1_714_571_110_250) == "2024-05-01T13:45:10.250Z")
        #expect(RFC3339.format(millis: -1) == "1969-12-31T23:59:59.999Z")
        var state: UInt64 = 42
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let millis = Int64(state >> 24) % 8_000_000_000_000 - 2_000_000_000_000
            #expect(RFC3339.parseMillis(RFC3339.format(millis: millis)) == millis)
        }
    }
}

@Suite struct TransactionRulesTests {
    @Test func validTransactionHasNoProblems() {
        let t = Transaction(
            transactionID: "tx-1", userID: "user_1", timestampMillis: 0, amount: 12.5, latitude: 1, longitude: 2,
            country: "US")
        #expect(TransactionRules.problems(in: t).isEmpty)
    }

    @Test func everyBadFieldIsNamed() {
        let t = Transaction(
            transactionID: "bad id", userID: String(repeating: "u", count: 65), timestampMillis: 0, amount: -1,
            currency: "usd", merchantCategory: "a\u{0}b", latitude: 91, country: "USA")
        let fields = Set(TransactionRules.problems(in: t).map(\.field))
        #expect(
            fields == ["transaction_id", "user_id", "amount", "currency", "merchant_category", "longitude", "country"])
    }

    @Test func amountMustBeFinite() {
        for amount in [Double.nan, .infinity, 1e9 + 1] {
            let t = Transaction(transactionID: "t", userID: "u", timestampMillis: 0, amount: amount)
            #expect(TransactionRules.problems(in: t).map(\.field) == ["amount"])
        }
    }
}
