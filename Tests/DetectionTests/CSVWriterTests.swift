import Domain
import Foundation
import Testing

@testable import Detection

@Suite struct CSVWriterTests {
    @Test func quotesOnlyWhenNeeded() throws {
        let writer = try CSVWriter()
        try writer.writeRow(["plain", "with,comma", "with \"quote\"", "two\nlines", "cr\rx", ""])
        let text = String(decoding: try writer.close(), as: UTF8.self)
        #expect(text == "plain,\"with,comma\",\"with \"\"quote\"\"\",\"two\nlines\",\"cr\rx\",\n")
    }

    @Test func transactionsRoundTripThroughTheReader() throws {
        var rng = SplitMix64(seed: 7)
        var transactions: [Transaction] = []
        var labels: [AnomalyLabel?] = []
        for i in 0..<500 {
            let located = i % 3 != 0
            transactions.append(
                Transaction(
                    transactionID: "t\(i)", userID: "u\(i % 13)",
                    timestampMillis: 1_700_000_000_000 + Int64(rng.next() % 10_000_000_000),
                    amount: i % 5 == 0 ? Double(rng.next() % 100_000) / 100 : Double(rng.next() % 1_000_000_000) / 997,
                    currency: "EUR", merchantID: i % 4 == 0 ? nil : "Shop, \"No. \(i)\"",
                    merchantCategory: i % 7 == 0 ? nil : "cat_\(i % 5)", channel: Channel.allCases[i % 3],
                    latitude: located ? Double(Int64(rng.next() % 180_000_000)) / 1e6 - 90 : nil,
                    longitude: located ? (Double(rng.next() % 1_000_000) / 1_000_000) * 360 - 180 : nil,
                    country: i % 2 == 0 ? "DE" : nil))
            labels.append(i % 9 == 0 ? AnomalyLabel(isAnomaly: true, anomalyType: "rapid_succession") : nil)
        }
        let writer = try CSVWriter()
        try writer.writeRow(CSVWriter.header(labels: true))
        for (t, l) in zip(transactions, labels) { try writer.write(t, label: l, labels: true) }
        let bytes = try writer.close()
        let data = try CSVTransactionReader(bytes: bytes).readAll(policy: .training)
        #expect(data.badRowCount == 0)
        #expect(data.transactions == transactions)
        #expect(data.labels == labels)
    }

    @Test func numbersAreShortAndExact() throws {
        let writer = try CSVWriter()
        for v in [0.0, 12.5, 0.29, -33.86785, 1e-7, 123_456_789.12, 1e9] { writer.append(number: v) }
        writer.append(timestamp: 1_714_571_110_250)
        writer.append(timestamp: -1000)
        writer.append(integer: -42)
        try writer.endRow()
        let text = String(decoding: try writer.close(), as: UTF8.self)
        #expect(
            text
                == "0,12.5,0.29,-33.86785,1e-07,123456789.12,1000000000,2024-05-01T13:45:10.250Z,1969-12-31T23:59:59Z,-42\n"
        )
    }

    @Test func fileIsRenamedIntoPlaceOnlyOnClose() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("out.csv.gz")
        do {
            let writer = try CSVWriter(path: path)
            try writer.writeRow(["a", "b"])
            #expect(!FileManager.default.fileExists(atPath: path))
            try writer.close()
        }
        #expect(FileManager.default.fileExists(atPath: path))
        let raw = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(raw.prefix(2) == [0x1F, 0x8B])
        do {
            let abandoned = try CSVWriter(path: dir.file("abandoned.csv"))
            try abandoned.writeRow(["x"])
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(leftovers == ["out.csv.gz"])
    }
}

@Suite struct DecimalParserTests {
    func parse(_ s: String) -> Double? {
        Array(s.utf8).withUnsafeBufferPointer { DecimalParser.parseDouble($0) }
    }

    @Test func agreesWithTheStandardLibrary() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            let digits = Int(rng.next() % 18) + 1
            var s = rng.next() % 4 == 0 ? "-" : ""
            for d in 0..<digits {
                if d == Int(rng.next() % UInt64(digits + 1)) { s += "." }
                s += String(rng.next() % 10)
            }
            if rng.next() % 5 == 0 { s += "e\(Int(rng.next() % 40) - 20)" }
            #expect(parse(s) == Double(s), "\(s)")
        }
    }

    @Test func refusesNonNumbers() {
        for s in ["", " ", "-", ".", "1.2.3", "12a", "e5", "1e", "--1"] { #expect(parse(s) == nil, "\(s)") }
        #expect(parse(" 12.5 ") == 12.5)
        #expect(parse("+3") == 3)
        #expect(parse("12345678901234567890123") == Double("12345678901234567890123"))
    }
}
