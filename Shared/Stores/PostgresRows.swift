/// The result of a query: column names, rows of text values (nil for NULL), and the affected-row count.
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// Column names in select-list order.
    public let columns: [String]
    /// The rows.
    public let rows: [PostgresRow]
    /// Rows inserted, updated, deleted, selected or copied, as the server reported (`PQcmdTuples`); 0 when the
    /// command reports none (DDL).
    public let affectedRows: Int

    init(columns: [String], values: [[String?]], affectedRows: Int) {
        var index: [String: Int] = [:]
        for (position, name) in columns.enumerated() where index[name] == nil { index[name] = position }
        self.columns = columns
        self.rows = values.map { PostgresRow(values: $0, columnIndex: index) }
        self.affectedRows = affectedRows
    }

    /// The first row index (0).
    public var startIndex: Int { rows.startIndex }
    /// One past the last row index.
    public var endIndex: Int { rows.endIndex }
    /// The row at `position`.
    public subscript(position: Int) -> PostgresRow { rows[position] }
}

/// One result row. Values are PostgreSQL's text output; the typed accessors parse it.
///
/// Typed accessors return nil for SQL NULL and throw `StoreError` `.unexpectedReply` for an unknown column or a
/// value that does not parse as the requested type (the message names the column, never the value).
public struct PostgresRow: Sendable {
    /// The values in column order, nil for NULL.
    public let values: [String?]
    private let columnIndex: [String: Int]

    init(values: [String?], columnIndex: [String: Int]) {
        self.values = values
        self.columnIndex = columnIndex
    }

    /// The raw text of a column by name; nil for NULL or an unknown column.
    public subscript(column: String) -> String? {
        columnIndex[column].flatMap { values[$0] }
    }

    /// The raw text of a column by position; nil for NULL. The position must be valid.
    public subscript(position: Int) -> String? { values[position] }

    /// A text column.
    public func string(_ column: String) throws -> String? {
        try raw(column)
    }

    /// An integer column (`int2`, `int4`, `int8`, or `numeric` without a fraction).
    public func int64(_ column: String) throws -> Int64? {
        try decode(column, as: "an integer") { Int64($0) }
    }

    /// An integer column as `Int`.
    public func int(_ column: String) throws -> Int? {
        try decode(column, as: "an integer") { Int($0) }
    }

    /// A floating-point column (`float4`, `float8`, `numeric`), including `Infinity` and `NaN`.
    public func double(_ column: String) throws -> Double? {
        try decode(column, as: "a number") { text in
            switch text {
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            case "NaN": return .nan
            default: return Double(text)
            }
        }
    }

    /// A `boolean` column (`t` / `f`).
    public func bool(_ column: String) throws -> Bool? {
        try decode(column, as: "a boolean") { text in
            switch text {
            case "t", "true": return true
            case "f", "false": return false
            default: return nil
            }
        }
    }

    /// A `bytea` column (hex output format, the default since PostgreSQL 9.0).
    public func bytes(_ column: String) throws -> [UInt8]? {
        try decode(column, as: "bytea in hex format") { text in
            let utf8 = Array(text.utf8)
            guard utf8.count % 2 == 0, utf8.starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "x")]) else { return nil }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(utf8.count / 2 - 1)
            var index = 2
            while index < utf8.count {
                guard let high = hexValue(utf8[index]), let low = hexValue(utf8[index + 1]) else { return nil }
                bytes.append(high << 4 | low)
                index += 2
            }
            return bytes
        }
    }

    private func raw(_ column: String) throws -> String? {
        guard let position = columnIndex[column] else {
            throw StoreError(
                .unexpectedReply,
                "no column '\(column)' in the result (columns: \(columnIndex.keys.sorted().joined(separator: ", ")))")
        }
        return values[position]
    }

    private func decode<T>(_ column: String, as kind: String, _ parse: (String) -> T?) throws -> T? {
        guard let text = try raw(column) else { return nil }
        guard let value = parse(text) else {
            throw StoreError(.unexpectedReply, "column '\(column)' is not \(kind)")
        }
        return value
    }

    private func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
