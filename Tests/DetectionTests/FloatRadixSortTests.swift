import Testing

@testable import Detection

@Suite struct FloatRadixSortTests {
    @Test func sortsLikeTheStandardLibrary() {
        var rng = Xoshiro256StarStar(seed: 1)
        var values = (0..<10_000).map { _ in Float(rng.nextGaussian() * 1e3) }
        values += [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.greatestFiniteMagnitude, 1, 1, 1]
        #expect(FloatRadixSort.sorted(values) == values.sorted())
        #expect(FloatRadixSort.sorted([]) == [])
        #expect(FloatRadixSort.sorted([3]) == [3])
    }
}
