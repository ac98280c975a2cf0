import Foundation
import Synchronization
import Testing

@testable import Stores

private struct Refused: Error {}

@Suite("DurableSpool")
struct DurableSpoolTests {
    private func record(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func replayAll(_ spool: DurableSpool) async throws -> [String] {
        var seen: [String] = []
        try await spool.replay { seen.append(String(decoding: $0, as: UTF8.self)) }
        return seen
    }

    @Test func replaysInOrderOnceAndSurvivesReopening() async throws {
        try await StoreFixtures.withTemporaryDirectory { directory in
            let path = directory + "/alerts.spool"
            do {
                let spool = try DurableSpool(path: path, logger: StoreFixtures.logger)
                try spool.append([record("a"), record("b")])
                try spool.append([record("c")])
                try spool.append([[UInt8]]())
                #expect(spool.recordCount == 3)
            }
            do {
                let reopened = try DurableSpool(path: path, logger: StoreFixtures.logger)
                #expect(reopened.recordCount == 3)
                #expect(try await replayAll(reopened) == ["a", "b", "c"])
                #expect(reopened.recordCount == 0)
                #expect(try await replayAll(reopened) == [])
            }
            let again = try DurableSpool(path: path, logger: StoreFixtures.logger)
            #expect(try await replayAll(again) == [])
        }
    }

    @Test func binaryAndEmptyRecordsRoundTrip() async throws {
        try await StoreFixtures.withTemporaryDirectory { directory in
            let spool = try DurableSpool(path: directory + "/s", logger: StoreFixtures.logger)
            let records: [[UInt8]] = [[], (0...255).map(UInt8.init), [UInt8](repeating: 7, count: 100_000)]
            try spool.append(records)
            var seen: [[UInt8]] = []
            #expect(try await spool.replay { seen.append($0) } == 3)
            #expect(seen == records)
        }
    }

    @Test func aFailingReplayKeepsTheRestForNextTime() async throws {
        try await StoreFixtures.withTemporaryDirectory { directory in
            let path = directory + "/s"
            let spool = try DurableSpool(path: path, logger: StoreFixtures.logger)
            try spool.append((1...5).map { record("r\($0)") })
            var seen: [String] = []
            await #expect(throws: Refused.self) {
                try await spool.replay { bytes in
                    let text = String(decoding: bytes, as: UTF8.self)
                    if text == "r3" { throw Refused() }
                    seen.append(text)
                }
            }
            #expect(seen == ["r1", "r2"])
            #expect(spool.recordCount == 3)
            try spool.append([record("r6")])
            #expect(try await replayAll(spool) == ["r3", "r4", "r5", "r6"])
        }
    }

    @Test func recordsAppendedDuringAReplayWaitForTheNextOne() async throws {
        try await StoreFixtures.withTemporaryDirectory { directory in
            let spool = try DurableSpool(path: directory + "/s", logger: StoreFixtures.logger)
            try spool.append([record("old-1"), record("old-2")])
            var seen: [String] = []
            try await spool.replay { bytes in
                seen.append(String(decoding: bytes, as: UTF8.self))
                try spool.append([record("new-\(seen.count)")])
            }
            #expect(seen == ["old-1", "old-2"])
            #expect(spool.recordCount == 2)
            #expect(try await replayAll(spool) == ["new-1", "new-2"])
        }
    }

    @Test func aTornLastRecordIsCutOffAndSaved() async throws {
        try await StoreFixtures.withTemporaryDirectory { directory in
            let path = directory + "/s"
            try DurableSpool(path: path, logger: StoreFixtures.logger).append([record("one"), record("two")])
            let intact = try Data(contentsOf: URL(fileURLWithPath: path))
            // A crash in the middle of an append: the header promises 100 bytes, 10 made it to disk.
            var torn = intact
            torn.append(contentsOf: [100, 0, 0, 0, 1, 2, 3, 4] + [UInt8](repeating: 9, count: 10))
            try torn.write(to: URL(fileURLWithPath: path))

            let spool = try DurableSpool(path: path, logger: StoreFixtures.logger)
            #expect(spool.recordCount == 2)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == intact)
            let saved = try FileManager.default.contentsOfDirectory(atPath: directory).filter {
                $0.hasPrefix("s.corrupt-")
            }
            #expect(saved.count == 1)
            try spool.append([record("three")])
            #expect(try await replayAll(spool) == ["one", "two", "three"])
        }
    }

    @Test func aDamagedRecordIsDetectedByItsChecksum() async throws {
        try await StoreFixtures.withTemporaryDirectory { directory in
            let path = directory + "/s"
            try DurableSpool(path: path, logger: StoreFixtures.logger).append([record("good"), record("flipped")])
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count - 1] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: path))
            // Shorter than a record header.
            let tiny = directory + "/tiny"
            try Data(Array("TXSPOOL1".utf8) + [1, 2, 3]).write(to: URL(fileURLWithPath: tiny))

            #expect(try await replayAll(try DurableSpool(path: path, logger: StoreFixtures.logger)) == ["good"])
            #expect(try DurableSpool(path: tiny, logger: StoreFixtures.logger).recordCount == 0)
        }
    }

    @Test func concurrentAppendersAllLand() async throws {
        try await StoreFixtures.withTemporaryDirectory { directory in
            let path = directory + "/s"
            let spool = try DurableSpool(path: path, logger: StoreFixtures.logger)
            // Real threads, so appends truly race for the file (and share fdatasyncs).
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { writer in
                for index in 0..<100 {
                    do {
                        try spool.append([Array("w\(writer)-\(index)".utf8), Array("w\(writer)-\(index)b".utf8)])
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(spool.recordCount == 1_600)
            let seen = try await replayAll(spool)  // reads what is on disk
            #expect(seen.count == 1_600)
            #expect(Set(seen).count == 1_600)
            // Each writer's records stay in its own order, and each batch stays together.
            for writer in 0..<8 {
                let own = seen.filter { $0.hasPrefix("w\(writer)-") }
                let expected = (0..<100).flatMap { ["w\(writer)-\($0)", "w\(writer)-\($0)b"] }
                #expect(own == expected)
            }
        }
    }

    @Test func refusesFilesThatAreNotSpoolsAndOversizedRecords() async throws {
        try await StoreFixtures.withTemporaryDirectory { directory in
            let foreign = directory + "/foreign"
            let content = Data("hello, this is not a spool".utf8)
            try content.write(to: URL(fileURLWithPath: foreign))
            let error = #expect(throws: StoreError.self) {
                try DurableSpool(path: foreign, logger: StoreFixtures.logger)
            }
            #expect(error?.code == .spoolFailure)
            #expect(try Data(contentsOf: URL(fileURLWithPath: foreign)) == content)

            let spool = try DurableSpool(path: directory + "/s", maxRecordSize: 4, logger: StoreFixtures.logger)
            let oversized = #expect(throws: StoreError.self) { try spool.append([record("ok"), record("too long")]) }
            #expect(oversized?.code == .invalidArgument)
            #expect(spool.recordCount == 0)

            let second = #expect(throws: StoreError.self) {
                try DurableSpool(path: directory + "/s", logger: StoreFixtures.logger)
            }
            #expect(second?.message.contains("already open") == true)

            let missingDirectory = #expect(throws: StoreError.self) {
                try DurableSpool(path: directory + "/no/such/dir/s", logger: StoreFixtures.logger)
            }
            #expect(missingDirectory?.code == .spoolFailure)
        }
    }

    @Test func crcMatchesTheStandardCheckValue() {
        #expect(CRC32.checksum("123456789".utf8) == 0xCBF4_3926)
        #expect(CRC32.checksum("6789".utf8, continuing: CRC32.checksum("12345".utf8)) == 0xCBF4_3926)
    }
}
