import Testing

@testable import Detection

@Suite struct UserIndexTests {
    @Test func indicesAreDenseStableAndSurviveGrowth() {
        var index = UserIndex(expectedUsers: 4)
        let ids = (0..<10_000).map { "user-\($0 * 7919 % 10_007)" }
        for (i, id) in ids.enumerated() { #expect(index.index(of: id) == i) }
        for (i, id) in ids.enumerated().reversed() { #expect(index.index(of: id) == i) }
        #expect(index.count == ids.count)
        #expect(index.ids == ids)
        #expect(index.index(of: "new") == ids.count)
    }
}
