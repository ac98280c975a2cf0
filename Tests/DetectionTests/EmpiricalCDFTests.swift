import Testing

@testable import Detection

@Suite struct EmpiricalCDFTests {
    @Test func mapsTrainingQuantilesToTheirProbabilities() throws {
        let scores = (0...1000).map { Float($0) }
        let cdf = try EmpiricalCDF(fitting: scores.shuffled())
        #expect(cdf.quantiles.count == 1001)
        #expect(cdf.probability(-1) == 0)
        #expect(abs(cdf.probability(500) - 0.5 * (1 - EmpiricalCDF.tailMass)) < 1e-9)
        #expect(abs(cdf.probability(250.5) - 0.2505 * (1 - EmpiricalCDF.tailMass)) < 1e-9)
        #expect(cdf.quantile(0.95) == 950)
    }

    @Test func isMonotoneAndInUnitIntervalIncludingBeyondTheTrainingRange() throws {
        var rng = Xoshiro256StarStar(seed: 3)
        let scores = (0..<5000).map { _ in Float(rng.nextGaussian()) * 3 + 1 }
        let cdf = try EmpiricalCDF(fitting: scores)
        var previous = -1.0
        var x = -30.0
        while x < 60 {
            let p = cdf.probability(x)
            #expect(p >= previous)
            #expect((0...1).contains(p))
            previous = p
            x += 0.01
        }
        // Beyond the training maximum, order is kept (no ties at 1).
        let top = cdf.quantiles.last ?? 0
        #expect(cdf.probability(top + 1) < cdf.probability(top + 2))
        #expect(cdf.probability(top + 2) < 1)
        #expect(cdf.probability(.nan) == 0)
    }

    @Test func handlesConstantScores() throws {
        let cdf = try EmpiricalCDF(fitting: [Float](repeating: 2, count: 10))
        #expect(cdf.probability(1) == 0)
        #expect(cdf.probability(2) >= 0.99)
        #expect(cdf.probability(3) > cdf.probability(2))
    }

    @Test func refusesBadInputAndBadTables() {
        #expect(throws: DetectionError.self) { try EmpiricalCDF(fitting: []) }
        #expect(throws: DetectionError.self) { try EmpiricalCDF(fitting: [1, .nan]) }
        #expect(throws: DetectionError.self) { try EmpiricalCDF(quantiles: [1]) }
        #expect(throws: DetectionError.self) { try EmpiricalCDF(quantiles: [2, 1]) }
        #expect(throws: DetectionError.self) { try EmpiricalCDF(quantiles: [0, .infinity]) }
    }
}
