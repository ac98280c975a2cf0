import TestSupport

/// Tiny bundles trained once per test process and isolated registry schemas, shared with LifecycleTests.
typealias RegistryFixtures = RegistryTestFixtures
