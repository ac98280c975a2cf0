import Domain
import Foundation
import Testing

@testable import Detection

@Suite struct TransactionGeneratorTests {
    func csv(_ configuration: GeneratorConfiguration) throws -> [UInt8] {
        let data = try TransactionGenerator(configuration: configuration).generate()
        let writer = try CSVWriter()
        try data.write(to: writer)
        return try writer.close()
    }

    @Test func sameSeedGivesByteIdenticalFiles() throws {
        let c = GeneratorConfiguration(count: 5000, users: 40, seed: 123)
        let a = try csv(c)
        let b = try csv(c)
        #expect(a == b)
        var other = c
        other.seed = 124
        #expect(try csv(other) != a)
    }

    @Test func countsAndAnomalyMixAreExact() throws {
        let c = GeneratorConfiguration(count: 20_000, users: 100, anomalyRate: 0.05, seed: 1)
        let data = try TransactionGenerator(configuration: c).generate()
        #expect(data.count == 20_000)
        #expect(
            data.anomalyCounts == [
                "high_amount": 400, "rapid_succession": 300, "unusual_location": 200, "unusual_time": 100,
            ])
        #expect(Set(data.transactions.map(\.userID)).count == 100)
        let none = try TransactionGenerator(
            configuration: GeneratorConfiguration(count: 500, users: 5, anomalyRate: 0, seed: 1)
        ).generate()
        #expect(none.anomalyCounts.isEmpty)
    }

    @Test func outputIsSortedValidAndReadable() throws {
        let c = GeneratorConfiguration(count: 8000, users: 50, seed: 3, days: 30)
        let bytes = try csv(c)
        let loaded = try CSVTransactionReader(bytes: bytes).readAll(policy: .training)
        #expect(loaded.badRowCount == 0)
        #expect(loaded.transactions.count == 8000)
        let times = loaded.transactions.map(\.timestampMillis)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(times.first ?? 0 >= c.startMillis)
        #expect(times.last ?? 0 < c.startMillis + 30 * 86_400_000)
        #expect(Set(loaded.transactions.map(\.transactionID)).count == 8000)
        #expect(loaded.labels.allSatisfy { $0 != nil })
        // Merchant names exercise CSV quoting.
        #expect(loaded.transactions.contains { $0.merchantID?.contains(",") == true })
        #expect(loaded.transactions.contains { $0.merchantID?.contains("\"") == true })
        #expect(loaded.transactions.contains { $0.latitude == nil })
    }

    @Test func anomaliesLookLikeTheirType() throws {
        let c = GeneratorConfiguration(count: 30_000, users: 120, seed: 8)
        let data = try TransactionGenerator(configuration: c).generate()
        let transactions = data.transactions
        let labels = data.labels
        let replay = FeatureReplay(priors: try FeaturePriors.fit(transactions)).run(
            transactions, options: .init(keepRaw: true))
        func mean(_ type: String?, _ value: (RawFeatures) -> Double) -> Double {
            let rows = labels.indices.filter { labels[$0].anomalyType == type }
            return rows.reduce(0) { $0 + value(replay.raw[$1]) } / Double(max(rows.count, 1))
        }
        func share(_ type: String?, _ test: (RawFeatures) -> Bool) -> Double {
            let rows = labels.indices.filter { labels[$0].anomalyType == type }
            return Double(rows.filter { test(replay.raw[$0]) }.count) / Double(max(rows.count, 1))
        }
        // High amounts are many times the user's average; normal rows are not (but some are: overlap).
        #expect(mean("high_amount") { log(max($0.amountRatioUser, 0.01)) } > 1.5)
        #expect(mean(nil) { log(max($0.amountRatioUser, 0.01)) } < 0.3)
        #expect(share(nil) { $0.amountRatioUser > 4 } > 0.001)
        // Bursts: most burst rows are the 3rd or later within 10 minutes; normal sessions rarely get there.
        #expect(share("rapid_succession") { $0.count10m >= 3 } > 0.4)
        #expect(share(nil) { $0.count10m >= 3 } < 0.02)
        #expect(share(nil) { $0.count10m >= 2 } > 0.02)  // normal shopping sessions overlap a little
        // Unusual location: far from home and implausibly fast.
        #expect(share("unusual_location") { $0.distanceHomeKm > 1000 } > 0.9)
        #expect(share("unusual_location") { $0.travelSpeedKmh > 900 } > 0.5)
        #expect(share(nil) { $0.travelSpeedKmh > 900 } < 0.01)
        // Unusual time: a rare hour for the user.
        #expect(mean("unusual_time") { $0.hourProbability } < mean(nil) { $0.hourProbability } / 3)
    }

    @Test func configurationIsValidated() {
        #expect(throws: DetectionError.self) {
            _ = try TransactionGenerator(configuration: GeneratorConfiguration(count: 0))
        }
        #expect(throws: DetectionError.self) {
            _ = try TransactionGenerator(configuration: GeneratorConfiguration(count: 100, anomalyRate: 0.9))
        }
        #expect(throws: DetectionError.self) {
            _ = try TransactionGenerator(configuration: GeneratorConfiguration(count: 100, users: 200))
        }
        #expect(throws: DetectionError.self) {
            _ = try TransactionGenerator(configuration: GeneratorConfiguration(count: 100, days: 0))
        }
        #expect(GeneratorConfiguration(count: 1_000_000).users == 5000)
    }

    @Test func apportionIsExactAndFair() {
        let shares = TransactionGenerator.apportion(103, weights: [1, 2, 3, 0.5])
        #expect(shares.reduce(0, +) == 103)
        #expect(shares.allSatisfy { $0 >= 1 })
        #expect(shares[2] > shares[1] && shares[1] > shares[0] && shares[0] > shares[3])
    }
}
