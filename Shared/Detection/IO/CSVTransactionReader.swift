import Domain

/// Streams transactions from a CSV file (SPEC §2): plain or gzip (by magic bytes), RFC 4180 quoting, any column
/// order, empty cells as missing, unknown columns ignored with a warning, bad rows reported with their line.
///
/// ```swift
/// let reader = try CSVTransactionReader(path: "data.csv.gz")
/// while let record = try reader.next() {
///     switch record {
///     case .success(let row): use(row.transaction, row.label)
///     case .failure(let bad): report(bad)   // "line 17: amount: must be a number"
///     }
/// }
/// ```
/// Parsing works on bytes in 1 MiB chunks; memory stays flat however long the file. Not thread-safe: one reader,
/// one task. ``readAll(path:policy:progress:)`` loads a whole file under a ``BadRowPolicy``.
public final class CSVTransactionReader {
    /// Tuning knobs; the defaults suit every file txad makes.
    public struct Options: Sendable {
        /// Bytes read (and inflated) at a time.
        public var chunkSize: Int
        /// A record longer than this is refused as malformed (usually an unbalanced quote).
        public var maximumRecordBytes: Int

        /// Creates options.
        public init(chunkSize: Int = 1 << 20, maximumRecordBytes: Int = 1 << 20) {
            self.chunkSize = chunkSize
            self.maximumRecordBytes = maximumRecordBytes
        }
    }

    /// The header's column names as written.
    public let header: [String]
    /// Warnings about the header (unknown columns), for the user.
    public let warnings: [String]
    /// Whether the file has an `is_anomaly` column.
    public let hasLabels: Bool

    private let scanner: CSVScanner
    private let columns: ColumnPositions
    private var scratch: [UInt8] = []

    /// Opens `path` and reads its header.
    /// - Throws: ``DetectionError`` with `.fileAccess` when the file cannot be read, `.invalidCSV` when the header
    ///   is missing, repeats a column or lacks a required one, `.corruptCompressedData` for damaged gzip.
    public convenience init(path: String, options: Options = Options()) throws(DetectionError) {
        try self.init(source: ByteSource(path: path, chunkSize: options.chunkSize), options: options)
    }

    /// Reads CSV held in memory (plain or gzip), e.g. an uploaded batch; `name` appears in messages.
    public convenience init(bytes: [UInt8], name: String = "CSV input", options: Options = Options())
        throws(DetectionError)
    {
        try self.init(source: ByteSource(bytes: bytes, name: name, chunkSize: options.chunkSize), options: options)
    }

    private init(source: ByteSource, options: Options) throws(DetectionError) {
        scanner = try CSVScanner(
            source: source, chunkSize: options.chunkSize, maximumRecordBytes: options.maximumRecordBytes)
        guard try scanner.nextRecord() else {
            throw DetectionError(
                .invalidCSV,
                "\(source.name) is empty; expected a header line such as "
                    + (TransactionRules.fieldNames + TransactionRules.labelNames).joined(separator: ","))
        }
        let record = scanner.record
        var names: [String] = []
        var scratch: [UInt8] = []
        for i in record.fields.indices {
            names.append(
                RowDecoder.unescaped(record.bytes(of: i), escapedQuotes: record.fields[i].escapedQuotes, &scratch) {
                    String(decoding: $0, as: UTF8.self)
                })
        }
        header = names
        let (positions, warnings) = try ColumnPositions.resolve(header: names, source: source.name)
        columns = positions
        self.warnings = warnings
        hasLabels = positions.isAnomaly >= 0
    }

    /// Raw bytes read so far and the input's size when known (compressed sizes for gzip), for progress bars.
    public var progress: (read: Int, total: Int?) { scanner.progress }

    /// Whether the input is gzip (sizes in ``progress`` are then compressed sizes).
    var isCompressedInput: Bool { scanner.isCompressed }

    /// The next row, valid or refused; `nil` at the end of the file.
    /// - Throws: only for problems with the file as a whole (I/O, corrupt gzip, a runaway quoted record).
    public func next() throws(DetectionError) -> Result<CSVRow, RowError>? {
        guard try scanner.nextRecord() else { return nil }
        var decoder = RowDecoder(record: scanner.record, header: header, columns: columns, scratch: [])
        swap(&decoder.scratch, &scratch)  // lend the buffer without sharing (sharing would copy it on write)
        let result = decoder.decode(line: scanner.recordLine)
        swap(&decoder.scratch, &scratch)
        return result
    }
}

/// Turns one record's cells into a validated transaction. A value type working on the scanner's buffer through
/// locals, so the per-cell work pays no class-property access costs.
struct RowDecoder {
    let record: CSVRecordView
    let header: [String]
    let columns: ColumnPositions
    /// Reused buffer for cells with doubled quotes.
    var scratch: [UInt8]

    mutating func decode(line: Int) -> Result<CSVRow, RowError> {
        guard record.fields.count == header.count else {
            return .failure(
                RowError(
                    line: line,
                    problems: [
                        FieldProblem(
                            field: "row", reason: "has \(record.fields.count) cells, the header has \(header.count)")
                    ]))
        }
        var problems: [FieldProblem] = []
        for (i, f) in record.fields.enumerated() where f.unterminated || f.malformed {
            problems.append(
                FieldProblem(
                    field: header[i],
                    reason: f.unterminated
                        ? "has an opening quote that is never closed" : "has text after its closing quote"))
        }
        guard problems.isEmpty else { return .failure(RowError(line: line, problems: problems)) }

        let transactionID = requiredText(columns.transactionID, "transaction_id", &problems)
        let userID = requiredText(columns.userID, "user_id", &problems)
        var timestamp: Int64 = 0
        if let ms = withCell(columns.timestamp, { RFC3339.parseMillis(bytes: $0) }) {
            timestamp = ms
        } else {
            problems.append(
                FieldProblem(
                    field: "timestamp",
                    reason: record.isEmpty(columns.timestamp)
                        ? "is required" : "must be an RFC 3339 timestamp such as 2024-05-01T13:45:10Z"))
        }
        let amount = number(columns.amount, "amount", required: true, &problems) ?? 0
        let currency = optionalText(columns.currency, "currency", &problems) ?? "USD"
        let merchantID = optionalText(columns.merchantID, "merchant_id", &problems)
        let merchantCategory = optionalText(columns.merchantCategory, "merchant_category", &problems)
        let channel = parseChannel(&problems)
        let latitude = number(columns.latitude, "latitude", required: false, &problems)
        let longitude = number(columns.longitude, "longitude", required: false, &problems)
        let country = optionalText(columns.country, "country", &problems)
        let label = parseLabel(&problems)

        let transaction = Transaction(
            transactionID: transactionID ?? "", userID: userID ?? "", timestampMillis: timestamp, amount: amount,
            currency: currency, merchantID: merchantID, merchantCategory: merchantCategory, channel: channel,
            latitude: latitude, longitude: longitude, country: country)
        let ruleProblems = TransactionRules.problems(in: transaction)
        if !ruleProblems.isEmpty {
            // A field that failed to parse was given a placeholder; report its parse problem only.
            let reported = Set(problems.map(\.field))
            problems.append(contentsOf: ruleProblems.filter { !reported.contains($0.field) })
        }
        guard problems.isEmpty else { return .failure(RowError(line: line, problems: problems)) }
        return .success(CSVRow(line: line, transaction: transaction, label: label))
    }

    /// Calls `body` with the cell's unescaped bytes (or an empty buffer for an absent column).
    private mutating func withCell<R>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard column >= 0 else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return Self.unescaped(
            record.bytes(of: column), escapedQuotes: record.fields[column].escapedQuotes, &scratch, body)
    }

    static func unescaped<R>(
        _ bytes: UnsafeBufferPointer<UInt8>, escapedQuotes: Bool, _ scratch: inout [UInt8],
        _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        guard escapedQuotes else { return body(bytes) }
        scratch.removeAll(keepingCapacity: true)
        var i = 0
        while i < bytes.count {
            scratch.append(bytes[i])
            i += bytes[i] == UInt8(ascii: "\"") ? 2 : 1
        }
        return scratch.withUnsafeBufferPointer(body)
    }

    /// The cell as text; `nil` when empty. Invalid UTF-8 is reported, not replaced.
    private mutating func optionalText(_ column: Int, _ name: String, _ problems: inout [FieldProblem]) -> String? {
        guard !record.isEmpty(column) else { return nil }
        let text = withCell(column) { bytes -> String? in
            // ASCII (nearly every cell) is valid UTF-8 by construction; only other text needs the full check.
            var ascii = true
            for b in bytes where b >= 0x80 {
                ascii = false
                break
            }
            return ascii ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
        }
        if text == nil { problems.append(FieldProblem(field: name, reason: "is not valid UTF-8")) }
        return text
    }

    private mutating func requiredText(_ column: Int, _ name: String, _ problems: inout [FieldProblem]) -> String? {
        guard !record.isEmpty(column) else {
            problems.append(FieldProblem(field: name, reason: "is required"))
            return nil
        }
        return optionalText(column, name, &problems)
    }

    private mutating func number(_ column: Int, _ name: String, required: Bool, _ problems: inout [FieldProblem])
        -> Double?
    {
        guard !record.isEmpty(column) else {
            if required { problems.append(FieldProblem(field: name, reason: "is required")) }
            return nil
        }
        let value = withCell(column) { DecimalParser.parseDouble($0) }
        if value == nil { problems.append(FieldProblem(field: name, reason: "must be a number")) }
        return value
    }

    private mutating func parseChannel(_ problems: inout [FieldProblem]) -> Channel? {
        guard !record.isEmpty(columns.channel) else { return nil }
        let channel: Channel? = withCell(columns.channel) { b in
            switch b.count {
            case 3 where b[0] == UInt8(ascii: "p") && b[1] == UInt8(ascii: "o") && b[2] == UInt8(ascii: "s"): .pos
            case 3 where b[0] == UInt8(ascii: "a") && b[1] == UInt8(ascii: "t") && b[2] == UInt8(ascii: "m"): .atm
            case 6: String(decoding: b, as: UTF8.self) == "online" ? .online : nil
            default: nil
            }
        }
        if channel == nil { problems.append(FieldProblem(field: "channel", reason: "must be one of pos, online, atm")) }
        return channel
    }

    private mutating func parseLabel(_ problems: inout [FieldProblem]) -> AnomalyLabel? {
        guard !record.isEmpty(columns.isAnomaly) else { return nil }
        let flag: Bool? = withCell(columns.isAnomaly) { b in
            if b.count == 1 { return b[0] == UInt8(ascii: "1") ? true : b[0] == UInt8(ascii: "0") ? false : nil }
            switch String(decoding: b, as: UTF8.self).lowercased() {
            case "true": return true
            case "false": return false
            default: return nil
            }
        }
        guard let flag else {
            problems.append(FieldProblem(field: "is_anomaly", reason: "must be 0 or 1"))
            return nil
        }
        let type = optionalText(columns.anomalyType, "anomaly_type", &problems)
        return AnomalyLabel(isAnomaly: flag, anomalyType: type)
    }
}

/// Where each known column is in a CSV header (-1 when absent).
struct ColumnPositions {
    var transactionID = -1
    var userID = -1
    var timestamp = -1
    var amount = -1
    var currency = -1
    var merchantID = -1
    var merchantCategory = -1
    var channel = -1
    var latitude = -1
    var longitude = -1
    var country = -1
    var isAnomaly = -1
    var anomalyType = -1

    private static let paths: [(String, any WritableKeyPath<ColumnPositions, Int> & Sendable)] = [
        ("transaction_id", \.transactionID), ("user_id", \.userID), ("timestamp", \.timestamp), ("amount", \.amount),
        ("currency", \.currency), ("merchant_id", \.merchantID), ("merchant_category", \.merchantCategory),
        ("channel", \.channel), ("latitude", \.latitude), ("longitude", \.longitude), ("country", \.country),
        ("is_anomaly", \.isAnomaly), ("anomaly_type", \.anomalyType),
    ]

    /// Maps header names (trimmed, case-insensitive) to positions; returns warnings for unknown columns.
    static func resolve(header: [String], source: String) throws(DetectionError) -> (ColumnPositions, [String]) {
        var positions = ColumnPositions()
        var warnings: [String] = []
        var seen: [String: Int] = [:]
        for (i, raw) in header.enumerated() {
            let name = raw.trimmingSpaces().lowercased()
            if let first = seen[name] {
                throw DetectionError(
                    .invalidCSV,
                    "\(source): column '\(name)' appears twice in the header (columns \(first + 1) and \(i + 1))")
            }
            seen[name] = i
            if let path = paths.first(where: { $0.0 == name })?.1 {
                positions[keyPath: path] = i
            } else {
                warnings.append("\(source): ignoring unknown column '\(raw)' (column \(i + 1))")
            }
        }
        let required = ["transaction_id", "user_id", "timestamp", "amount"]
        let missing = required.filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw DetectionError(
                .invalidCSV,
                "\(source): the header lacks required column(s) \(missing.joined(separator: ", ")); expected "
                    + (TransactionRules.fieldNames + TransactionRules.labelNames).joined(separator: ","))
        }
        return (positions, warnings)
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces and tabs.
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
