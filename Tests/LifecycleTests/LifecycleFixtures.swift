import Detection
import Domain
import Foundation
import TestSupport

@testable import InferenceService
@testable import Registry

/// The registry fixtures shared with RegistryTests (``RegistryTestFixtures``), plus what the lifecycle tests add.
typealias LifecycleFixtures = RegistryTestFixtures

extension LifecycleFixtures {
    /// Waits (up to `limit`, generously above any promise) until `condition` holds; returns the time it took.
    static func eventually(
        within limit: Duration = .seconds(30), _ condition: @Sendable () async -> Bool
    ) async -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < limit {
            if await condition() { return clock.now - start }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// A registry with `v1` champion (registered by alice, approved by bob) and `v2` registered.
    static func seed(_ registry: BundleRegistry, _ bundles: Bundles) async throws {
        try await registry.register(directory: bundles.directory("v1"), by: "alice")
        try await registry.register(directory: bundles.directory("v2"), by: "alice")
        try await registry.approve("v1", by: "bob")
        try await registry.approve("v2", by: "bob")
        try await registry.promote("v1", to: .champion, by: "alice")
    }
}
