/// A query parameter in PostgreSQL's text format; pass `nil` (as `PostgresValue?`) for SQL NULL.
///
/// ```swift
/// try await db.query("SELECT * FROM alerts WHERE risk = $1 AND score > $2", ["high", 0.9])
/// try await db.execute("INSERT INTO t (id, note) VALUES ($1, $2)", [PostgresValue(id), nil])
/// ```
/// Values are sent separately from the SQL text (`PQexecParams`), so they are never parsed as SQL. The server
/// infers each parameter's type from the statement; cast in SQL (`$1::bigint`) where that is ambiguous.
public struct PostgresValue: Sendable, Hashable, CustomStringConvertible {
    /// The text representation sent to the server.
    public let text: String

    /// Text as it is.
    public init(_ text: String) { self.text = text }

    /// An integer (`int2`/`int4`/`int8`/`numeric` columns).
    public init(_ value: Int) { text = String(value) }

    /// A 64-bit integer.
    public init(_ value: Int64) { text = String(value) }

    /// A 32-bit integer.
    public init(_ value: Int32) { text = String(value) }

    /// A float (`float8`/`numeric`), shortest round-tripping form; infinities and NaN in PostgreSQL's spelling.
    public init(_ value: Double) {
        if value.isNaN {
            text = "NaN"
        } else if value.isInfinite {
            text = value < 0 ? "-Infinity" : "Infinity"
        } else {
            text = String(value)
        }
    }

    /// A boolean (`true` / `false`).
    public init(_ value: Bool) { text = value ? "true" : "false" }

    /// Bytes for a `bytea` parameter (hex format, `\x…`).
    public init(bytes: some Sequence<UInt8>) {
        let digits = Array("0123456789abcdef".utf8)
        var encoded: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        for byte in bytes {
            encoded.append(digits[Int(byte >> 4)])
            encoded.append(digits[Int(byte & 0x0f)])
        }
        text = String(decoding: encoded, as: UTF8.self)
    }

    /// A one-dimensional array (`text[]`, `float8[]`, `jsonb[]`, …) in PostgreSQL's array text format; a nil element
    /// is SQL NULL. Cast the parameter in SQL so the server knows the element type.
    ///
    /// ```swift
    /// PostgresValue(array: ["a", "b\"c", nil, "NULL"]).text   // {"a","b\"c",NULL,"NULL"}
    ///
    /// // One statement for many rows: one array per column (`score` is a `Double?`, nil becomes NULL).
    /// let ids = PostgresValue(array: rows.map { row in PostgresValue(row.id) })
    /// let scores = PostgresValue(array: rows.map { row in row.score.map { PostgresValue($0) } })
    /// try await db.execute("INSERT INTO t (id, score) SELECT * FROM unnest($1::text[], $2::float8[])", [ids, scores])
    /// ```
    /// Every element is double-quoted with `"` and `\` backslash-escaped, so any text survives as it is: commas,
    /// braces, quotes, spaces (kept, not trimmed), empty strings, and the word `NULL`, which only an unquoted
    /// element means. Elements are separated by `,`, the delimiter of every built-in type except `box`. As with any
    /// parameter, an element containing a NUL byte makes the statement throw `.invalidArgument` before it is sent.
    public init(array elements: [PostgresValue?]) {
        var encoded: [UInt8] = [UInt8(ascii: "{")]
        encoded.reserveCapacity(2 + elements.reduce(0) { $0 + ($1?.text.utf8.count ?? 4) + 3 })
        for (index, element) in elements.enumerated() {
            if index > 0 { encoded.append(UInt8(ascii: ",")) }
            guard let element else {
                encoded.append(contentsOf: "NULL".utf8)
                continue
            }
            encoded.append(UInt8(ascii: "\""))
            for byte in element.text.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { encoded.append(UInt8(ascii: "\\")) }
                encoded.append(byte)
            }
            encoded.append(UInt8(ascii: "\""))
        }
        encoded.append(UInt8(ascii: "}"))
        text = String(decoding: encoded, as: UTF8.self)
    }

    /// Shows only the length, never the value (parameters may be personal data).
    public var description: String { "PostgresValue(\(text.utf8.count) bytes)" }
}

extension PostgresValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral
{
    /// A text literal.
    public init(stringLiteral value: String) { self.init(value) }
    /// An integer literal.
    public init(integerLiteral value: Int) { self.init(value) }
    /// A float literal.
    public init(floatLiteral value: Double) { self.init(value) }
    /// A boolean literal.
    public init(booleanLiteral value: Bool) { self.init(value) }
}
