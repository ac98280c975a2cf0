import Testing

@testable import Detection

@Suite struct AveragePathLengthTests {
    @Test func smallValuesAreExact() {
        #expect(AveragePathLength.c(0) == 0)
        #expect(AveragePathLength.c(1) == 0)
        #expect(AveragePathLength.c(2) == 1)
        // 2·H(2) − 2·2/3 = 5/3; the ln approximation would give ≈ 1.21 here.
        #expect(abs(AveragePathLength.c(3) - 5.0 / 3.0) < 1e-15)
        #expect(abs(AveragePathLength.c(4) - 13.0 / 6.0) < 1e-15)
        #expect(abs(AveragePathLength.c(10) - 3.857936507936508) < 1e-14)
    }

    @Test func matchesExactHarmonicSumsAcrossTheSwitchToTheExpansion() {
        // Reference values from exact rational arithmetic (Python fractions).
        let expected: [(Int, Double)] = [
            (100, 8.374755035279241), (256, 10.248689925634562), (257, 10.256472026801877),
            (1000, 12.97094172110069), (4096, 15.790207793932646),
        ]
        for (n, value) in expected {
            #expect(abs(AveragePathLength.c(n) - value) < 1e-12, "c(\(n))")
        }
    }

    @Test func isIncreasing() {
        for n in 1..<600 {
            #expect(AveragePathLength.c(n + 1) > AveragePathLength.c(n))
        }
    }
}
