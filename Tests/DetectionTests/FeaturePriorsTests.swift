import Domain
import Foundation
import Testing

@testable import Detection

@Suite struct FeaturePriorsTests {
    @Test func fitsCategoryNormsAndFrequencies() throws {
        var transactions: [Transaction] = []
        for i in 0..<30 {
            transactions.append(
                Transaction(
                    transactionID: "g\(i)", userID: "u\(i % 3)", timestampMillis: Int64(i) * 3_600_000,
                    amount: Double(10 + i), merchantCategory: "grocery", channel: .pos))
        }
        for i in 0..<10 {
            transactions.append(
                Transaction(
                    transactionID: "t\(i)", userID: "u\(i % 3)", timestampMillis: Int64(i) * 3_600_000, amount: 1000,
                    merchantCategory: "travel", channel: .online))
        }
        let priors = try FeaturePriors.fit(transactions)
        #expect(priors.categories.map(\.name) == ["grocery", "travel"])
        #expect(priors.category(named: "grocery")?.frequency == 0.75)
        #expect(priors.category(named: "grocery")?.medianAmount == 24.5)
        #expect(priors.category(named: "travel")?.logAmountSD == FeaturePriors.minimumLogSD)
        #expect(priors.channelFrequencies == [0.75, 0.25, 0])
        #expect(abs(priors.hourDistribution.reduce(0, +) - 1) < 1e-12)
        #expect(priors.category(named: "unknown") == nil)
    }

    @Test func codableRoundTripAndValidation() throws {
        let data = try TransactionGenerator(configuration: GeneratorConfiguration(count: 2000, users: 20, seed: 2))
            .generate()
        let priors = try FeaturePriors.fit(data.transactions)
        let json = try JSONEncoder().encode(priors)
        let decoded = try JSONDecoder().decode(FeaturePriors.self, from: json)
        #expect(decoded == priors)
        #expect(decoded.category(named: "grocery_pos") == priors.category(named: "grocery_pos"))

        var object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        object["hour_distribution"] = [0.5, 0.5]
        let bad = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: DetectionError.self) { _ = try JSONDecoder().decode(FeaturePriors.self, from: bad) }
        object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        object["version"] = 99
        let future = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: DetectionError.self) { _ = try JSONDecoder().decode(FeaturePriors.self, from: future) }
    }

    @Test func refusesEmptyInput() {
        let error = #expect(throws: DetectionError.self) { _ = try FeaturePriors.fit([Transaction]()) }
        #expect(error?.code == .invalidArgument)
    }
}
