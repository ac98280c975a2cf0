import Domain
import Testing

@testable import Detection

@Suite struct UserStateTests {
    /// A state with every part filled: ring full and wrapped, slots churned, places, last location.
    static func busyState() throws -> UserState {
        let data = try TransactionGenerator(configuration: GeneratorConfiguration(count: 3000, users: 3, seed: 5))
            .generate()
        let replay = FeatureReplay(priors: .neutral)
        let result = replay.run(data.transactions, options: .init(keepStates: true))
        return result.finalStates.values.max { $0.transactionCount < $1.transactionCount } ?? UserState()
    }

    @Test func roundTripsBitExactly() throws {
        let state = try Self.busyState()
        #expect(state.transactionCount > 500)
        #expect(state.recentMillis.count == UserState.recentCapacity)
        #expect(!state.places.isEmpty && state.hasLastLocation)
        let bytes = state.serialized()
        #expect(bytes.count <= 1024)
        #expect(try UserState(serialized: bytes) == state)
        #expect(try UserState(serialized: UserState().serialized()) == UserState())
    }

    @Test func refusesAnotherVersion() throws {
        var bytes = try Self.busyState().serialized()
        bytes[0] = UserState.formatVersion &+ 1
        let error = #expect(throws: DetectionError.self) { _ = try UserState(serialized: bytes) }
        #expect(error?.code == .unsupportedVersion)
    }

    @Test func refusesEveryTruncationAndTrailingBytes() throws {
        let bytes = try Self.busyState().serialized()
        for length in 0..<bytes.count {
            #expect(throws: DetectionError.self, "length \(length)") {
                _ = try UserState(serialized: Array(bytes[0..<length]))
            }
        }
        let error = #expect(throws: DetectionError.self) { _ = try UserState(serialized: bytes + [0]) }
        #expect(error?.code == .corruptState)
        #expect(error?.message.contains("trailing") == true)
    }

    @Test func refusesImpossibleValues() throws {
        // Ring count byte (after version, count, first, last, 3 doubles and 24 hour counts) set beyond capacity.
        var bytes = try Self.busyState().serialized()
        let ringOffset = 1 + 4 + 8 + 8 + 24 + 48
        bytes[ringOffset] = 200
        #expect(throws: DetectionError.self) { _ = try UserState(serialized: bytes) }
        // A NaN running mean.
        var nan = try Self.busyState().serialized()
        let meanOffset = 1 + 4 + 8 + 8
        for (i, b) in Double.nan.bitPattern.littleEndianBytes.enumerated() { nan[meanOffset + i] = b }
        #expect(throws: DetectionError.self) { _ = try UserState(serialized: nan) }
    }
}

extension UInt64 {
    fileprivate var littleEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> (8 * UInt64($0))) } }
}

@Suite struct UserStateLayoutTests {
    /// The replay keeps one state per user in memory; keep it around a kilobyte.
    @Test func stateStaysSmallInMemory() {
        #expect(MemoryLayout<UserState>.size <= 1024, "\(MemoryLayout<UserState>.size) bytes")
    }
}
