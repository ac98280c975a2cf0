import Domain
import Foundation
import Testing

@testable import Detection

@Suite struct CSVTransactionReaderTests {
    static let header =
        "transaction_id,user_id,timestamp,amount,currency,merchant_id,merchant_category,channel,latitude,longitude,country,is_anomaly,anomaly_type"

    /// Reads every record of `text` (chunk size configurable to exercise buffer boundaries).
    func records(_ text: String, chunkSize: Int = 1 << 20) throws -> (CSVTransactionReader, [Result<CSVRow, RowError>])
    {
        let reader = try CSVTransactionReader(
            bytes: Array(text.utf8), options: .init(chunkSize: chunkSize, maximumRecordBytes: 1 << 20))
        var out: [Result<CSVRow, RowError>] = []
        while let r = try reader.next() { out.append(r) }
        return (reader, out)
    }

    func rows(_ results: [Result<CSVRow, RowError>]) -> [CSVRow] {
        results.compactMap { if case .success(let r) = $0 { r } else { nil } }
    }

    func errors(_ results: [Result<CSVRow, RowError>]) -> [RowError] {
        results.compactMap { if case .failure(let e) = $0 { e } else { nil } }
    }

    @Test func parsesAllColumnsWithQuoting() throws {
        let text = """
            \(Self.header)
            t1,u1,2024-05-01T13:45:10Z,12.50,EUR,"Rippin, Kub and Mann",grocery_pos,pos,48.8566,2.3522,FR,0,
            t2,u1,2024-05-01T13:50:00.250Z,1e3,USD,"Joe's ""Best"" Diner",food_dining,online,,,,1,high_amount

            """
        let (reader, results) = try records(text)
        #expect(reader.hasLabels)
        #expect(reader.warnings.isEmpty)
        let r = rows(results)
        try #require(r.count == 2)
        #expect(r[0].line == 2)
        #expect(
            r[0].transaction
                == Transaction(
                    transactionID: "t1", userID: "u1", timestampMillis: 1_714_571_110_000, amount: 12.5,
                    currency: "EUR",
                    merchantID: "Rippin, Kub and Mann", merchantCategory: "grocery_pos", channel: .pos,
                    latitude: 48.8566,
                    longitude: 2.3522, country: "FR"))
        #expect(r[0].label == AnomalyLabel(isAnomaly: false, anomalyType: nil))
        #expect(r[1].transaction.merchantID == "Joe's \"Best\" Diner")
        #expect(r[1].transaction.timestampMillis == 1_714_571_400_250)
        #expect(r[1].transaction.amount == 1000)
        #expect(r[1].transaction.latitude == nil && r[1].transaction.country == nil)
        #expect(r[1].label == AnomalyLabel(isAnomaly: true, anomalyType: "high_amount"))
    }

    @Test func quotedLineBreaksCountTowardLineNumbers() throws {
        let text = """
            transaction_id,user_id,timestamp,amount,note
            t1,u1,2024-05-01T13:45:10Z,1,"first line
            second line, with comma"
            t2,u1,2024-05-01T13:45:10Z,oops,plain

            """
        let (reader, results) = try records(text)
        #expect(reader.warnings.count == 1)
        #expect(reader.warnings.first?.contains("'note'") == true)
        #expect(rows(results).map(\.line) == [2])
        #expect(
            errors(results) == [
                RowError(line: 4, problems: [FieldProblem(field: "amount", reason: "must be a number")])
            ])
    }

    @Test func anyColumnOrderAndMissingOptionalColumns() throws {
        let text = "amount,timestamp,user_id,transaction_id\n7.25,2024-01-01T00:00:00Z,alice,tx-9\n"
        let (reader, results) = try records(text)
        #expect(!reader.hasLabels)
        let r = try #require(rows(results).first)
        #expect(r.transaction.transactionID == "tx-9")
        #expect(r.transaction.userID == "alice")
        #expect(r.transaction.amount == 7.25)
        #expect(r.transaction.currency == "USD")
        #expect(r.label == nil)
    }

    @Test func emptyCellsAreMissingValues() throws {
        let text = "\(Self.header)\nt1,u1,2024-01-01T00:00:00Z,5,,,,,,,,,\n"
        let r = try #require(rows(try records(text).1).first)
        #expect(r.transaction.currency == "USD")
        #expect(
            r.transaction.merchantID == nil && r.transaction.merchantCategory == nil && r.transaction.channel == nil)
        #expect(r.transaction.latitude == nil && r.transaction.longitude == nil && r.transaction.country == nil)
        #expect(r.label == nil)
    }

    @Test func badRowsNameTheirLineAndFields() throws {
        let text = """
            \(Self.header)
            ,u1,2024-01-01T00:00:00Z,5,USD,,,,,,,,
            t2,u1,yesterday,-3,usd,,,bike,10,,,2,
            t3,u1,2024-01-01T00:00:00Z,5,USD
            t4,u1,2024-01-01T00:00:00Z,5,USD,,,,91,200,USA,,
            t5,u1,2024-01-01T00:00:00Z,5,USD,,,,,,,,
            """
        let (_, results) = try records(text)
        #expect(rows(results).map(\.transaction.transactionID) == ["t5"])
        let bad = errors(results)
        try #require(bad.count == 4)
        #expect(bad[0] == RowError(line: 2, problems: [FieldProblem(field: "transaction_id", reason: "is required")]))
        #expect(bad[1].line == 3)
        #expect(
            Set(bad[1].problems.map(\.field))
                == ["timestamp", "amount", "currency", "channel", "longitude", "is_anomaly"])
        #expect(bad[1].problems.first { $0.field == "timestamp" }?.reason.contains("RFC 3339") == true)
        #expect(
            bad[2]
                == RowError(line: 4, problems: [FieldProblem(field: "row", reason: "has 5 cells, the header has 13")]))
        #expect(bad[3].line == 5)
        #expect(Set(bad[3].problems.map(\.field)) == ["latitude", "longitude", "country"])
        #expect(bad[0].description == "line 2: transaction_id: is required")
    }

    @Test func unterminatedQuoteAndTextAfterQuoteAreRowErrors() throws {
        let malformed =
            "transaction_id,user_id,timestamp,amount\nt1,\"u1\"x,2024-01-01T00:00:00Z,1\nt2,u1,2024-01-01T00:00:00Z,\"1"
        let bad = errors(try records(malformed).1)
        #expect(bad.map(\.line) == [2, 3])
        #expect(bad[0].problems == [FieldProblem(field: "user_id", reason: "has text after its closing quote")])
        #expect(bad[1].problems == [FieldProblem(field: "amount", reason: "has an opening quote that is never closed")])
    }

    @Test func crlfAndByteOrderMark() throws {
        let text =
            "\u{FEFF}transaction_id,user_id,timestamp,amount,merchant_id\r\nt1,u1,2024-01-01T00:00:00Z,1.5,\"a\r\nb\"\r\n\r\nt2,u2,2024-01-01T00:00:01Z,2,m\r\n"
        let (reader, results) = try records(text)
        #expect(reader.header.first == "transaction_id")
        let r = rows(results)
        #expect(errors(results).map(\.line) == [2])  // "a\r\nb" holds control characters: refused, not mangled
        #expect(r.map(\.transaction.transactionID) == ["t2"])
        #expect(r.first?.line == 5)
        #expect(r.first?.transaction.merchantID == "m")
    }

    @Test func tinyChunksGiveTheSameRecords() throws {
        var text = Self.header + "\n"
        for i in 0..<200 {
            let merchant =
                i % 3 == 0
                ? "\"Long, \"\"quoted\"\" merchant name number \(i) \(String(repeating: "x", count: i % 60))\""
                : "m\(i)"
            text +=
                "t\(i),u\(i % 7),2024-01-01T00:00:\(String(format: "%02d", i % 60))Z,\(i).25,USD,\(merchant),cat,online,1.5,2.5,US,\(i % 2),\n"
        }
        let big = try records(text).1
        let small = try records(text, chunkSize: 16).1
        #expect(rows(big).count == 200)
        #expect(big == small)
    }

    @Test func headerProblemsAreFileErrors() throws {
        #expect(throws: DetectionError.self) { _ = try CSVTransactionReader(bytes: []) }
        let missing = #expect(throws: DetectionError.self) {
            _ = try CSVTransactionReader(bytes: Array("transaction_id,user_id,amount\n".utf8))
        }
        #expect(missing?.code == .invalidCSV)
        #expect(missing?.message.contains("timestamp") == true)
        let twice = #expect(throws: DetectionError.self) {
            _ = try CSVTransactionReader(bytes: Array("transaction_id,user_id,timestamp,amount,Amount\n".utf8))
        }
        #expect(twice?.message.contains("twice") == true)
    }

    @Test func runawayQuotedRecordIsRefused() throws {
        let text =
            "transaction_id,user_id,timestamp,amount\nt1,u1,2024-01-01T00:00:00Z,\""
            + String(repeating: "9", count: 5000)
            + "\n" + String(repeating: "t2,u1,2024-01-01T00:00:00Z,1\n", count: 100)
        let reader = try CSVTransactionReader(
            bytes: Array(text.utf8), options: .init(chunkSize: 64, maximumRecordBytes: 1024))
        let error = #expect(throws: DetectionError.self) { while try reader.next() != nil {} }
        #expect(error?.code == .invalidCSV)
        #expect(error?.message.contains("line 2") == true)
    }

    @Test func gzipIsDetectedByMagicBytes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let text =
            "\(Self.header)\nt1,u1,2024-01-01T00:00:00Z,5,USD,,,,,,,,\nt2,u1,2024-01-01T00:00:01Z,6,USD,,,,,,,1,unusual_time\n"
        let writer = try CSVWriter(path: dir.file("data.csv"), compressed: true)  // gzip under a .csv name
        try writer.writeRow(Self.header.split(separator: ",").map(String.init))
        try writer.write(
            Transaction(transactionID: "t1", userID: "u1", timestampMillis: 1_704_067_200_000, amount: 5),
            label: nil, labels: true)
        try writer.write(
            Transaction(transactionID: "t2", userID: "u1", timestampMillis: 1_704_067_201_000, amount: 6),
            label: AnomalyLabel(isAnomaly: true, anomalyType: "unusual_time"), labels: true)
        try writer.close()
        let raw = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("data.csv"))))
        #expect(raw.prefix(2) == [0x1F, 0x8B])
        let fromGzip = try CSVTransactionReader.readAll(path: dir.file("data.csv"), policy: .training)
        let fromText = try CSVTransactionReader(bytes: Array(text.utf8)).readAll(policy: .training)
        #expect(fromGzip.transactions == fromText.transactions)
        #expect(fromGzip.labels == fromText.labels)
        #expect(fromGzip.transactions.count == 2)
    }

    @Test func concatenatedGzipMembersAndTruncation() throws {
        let first = try CSVWriter(compressed: true)
        try first.writeRow(["transaction_id", "user_id", "timestamp", "amount"])
        try first.writeRow(["t1", "u1", "2024-01-01T00:00:00Z", "1"])
        let second = try CSVWriter(compressed: true)
        try second.writeRow(["t2", "u1", "2024-01-01T00:00:00Z", "2"])
        let a = try first.close()
        let b = try second.close()
        let both = try CSVTransactionReader(bytes: a + b).readAll(policy: .training)
        #expect(both.transactions.map(\.transactionID) == ["t1", "t2"])

        let truncated = Array(a.dropLast(6))
        let error = #expect(throws: DetectionError.self) {
            _ = try CSVTransactionReader(bytes: truncated).readAll(policy: .scoring)
        }
        #expect(error?.code == .corruptCompressedData)
        let garbage = #expect(throws: DetectionError.self) {
            _ = try CSVTransactionReader(bytes: a + [1, 2, 3]).readAll(policy: .scoring)
        }
        #expect(garbage?.code == .corruptCompressedData)
    }

    @Test func badRowPolicy() throws {
        var text = "transaction_id,user_id,timestamp,amount\n"
        for i in 0..<98 { text += "t\(i),u1,2024-01-01T00:00:00Z,1\n" }
        text += "bad,u1,never,1\nbad2,u1,2024-01-01T00:00:00Z,x\n"
        let scoring = try CSVTransactionReader(bytes: Array(text.utf8)).readAll(policy: .scoring)
        #expect(scoring.transactions.count == 98)
        #expect(scoring.badRowCount == 2)
        #expect(scoring.badRows.map(\.line) == [100, 101])
        let error = #expect(throws: DetectionError.self) {
            _ = try CSVTransactionReader(bytes: Array(text.utf8)).readAll(policy: .training)
        }
        #expect(error?.code == .tooManyBadRows)
        #expect(error?.message.contains("2 of 100 rows (2.0%)") == true)
        #expect(error?.message.contains("line 100: timestamp") == true)
        let lenient = try CSVTransactionReader(bytes: Array(text.utf8)).readAll(
            policy: BadRowPolicy(maximumBadRowShare: 0.02, maximumReportedRows: 1))
        #expect(lenient.badRows.count == 1)
        #expect(lenient.badRowCount == 2)
    }

    @Test func missingFileIsAFileAccessError() {
        let error = #expect(throws: DetectionError.self) {
            _ = try CSVTransactionReader(path: "/nonexistent/txad/data.csv")
        }
        #expect(error?.code == .fileAccess)
    }
}
