import Testing

@testable import Detection

@Test func moduleLoads() {}
