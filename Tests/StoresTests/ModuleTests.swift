import Testing

@testable import Stores

@Test func moduleLoads() {}
