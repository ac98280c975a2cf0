import Synchronization
import Testing

@testable import Dashboard

/// The Overview's refresh answer is computed once per lifetime, however many pages ask at once.
@Suite struct OverviewRefreshCacheTests {
    @Test func concurrentRefreshesShareOneComputationUntilTheLifetimeEnds() async throws {
        let cache = OverviewRefreshCache(lifetime: .milliseconds(300))
        let computations = Atomic<Int>(0)
        let compute: @Sendable () async -> String = {
            let n = computations.add(1, ordering: .relaxed).newValue
            try? await Task.sleep(for: .milliseconds(50))  // a slow stats call: later requests arrive meanwhile
            return "answer \(n)"
        }
        let first = await withTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { await cache.value(compute: compute) } }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(first == Array(repeating: "answer 1", count: 20))
        #expect(await cache.value(compute: compute) == "answer 1")
        #expect(computations.load(ordering: .relaxed) == 1)

        try await Task.sleep(for: .milliseconds(400))
        #expect(await cache.value(compute: compute) == "answer 2")
        #expect(computations.load(ordering: .relaxed) == 2)
    }
}
