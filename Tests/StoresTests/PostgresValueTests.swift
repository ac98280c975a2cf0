import Testing

@testable import Stores

@Suite("PostgresValue array text format")
struct PostgresValueArrayTests {
    @Test func everyElementIsQuotedAndNilIsAnUnquotedNULL() {
        #expect(PostgresValue(array: ["a", "b\"c", nil, "NULL"]).text == #"{"a","b\"c",NULL,"NULL"}"#)
        #expect(PostgresValue(array: []).text == "{}")
        #expect(PostgresValue(array: [nil]).text == "{NULL}")
        #expect(PostgresValue(array: [nil, nil]).text == "{NULL,NULL}")
        #expect(PostgresValue(array: [""]).text == #"{""}"#)
        #expect(PostgresValue(array: ["", ""]).text == #"{"",""}"#)
    }

    @Test func onlyQuotesAndBackslashesAreEscaped() {
        #expect(PostgresValue(array: [#"\"#]).text == #"{"\\"}"#)
        #expect(PostgresValue(array: [#"""#]).text == #"{"\""}"#)
        #expect(PostgresValue(array: [#"a\"b\\c"#]).text == #"{"a\\\"b\\\\c"}"#)
        // Delimiters, braces, blanks and unicode pass through inside the quotes.
        let blanks = PostgresValue(array: ["a,b", "{x}", " padded ", "tab\tnew\nline"])
        #expect(blanks.text == "{\"a,b\",\"{x}\",\" padded \",\"tab\tnew\nline\"}")
        #expect(PostgresValue(array: ["ünïcode ✓ \u{1F600}"]).text == "{\"ünïcode ✓ \u{1F600}\"}")
        #expect(PostgresValue(array: ["null", "NuLL", "NULL "]).text == #"{"null","NuLL","NULL "}"#)
    }

    @Test func elementsKeepTheirScalarEncoding() {
        let numbers = PostgresValue(array: [PostgresValue(1.5), PostgresValue(-Double.infinity), PostgresValue(.nan)])
        #expect(numbers.text == #"{"1.5","-Infinity","NaN"}"#)
        let flags = PostgresValue(array: [PostgresValue(true), PostgresValue(false), nil])
        #expect(flags.text == #"{"true","false",NULL}"#)
        #expect(PostgresValue(array: [PostgresValue(Int64.min), 0]).text == #"{"-9223372036854775808","0"}"#)
        #expect(PostgresValue(array: [PostgresValue(bytes: [0xde, 0xad])]).text == #"{"\\xdead"}"#)
    }

    @Test func arraysNestAsQuotedText() {
        // An array of arrays is a text[] whose elements are array literals, not a two-dimensional array.
        let inner = PostgresValue(array: ["x", nil])
        #expect(PostgresValue(array: [inner]).text == #"{"{\"x\",NULL}"}"#)
    }
}

@Suite("PostgresValue arrays against a real PostgreSQL")
struct PostgresValueArrayRoundTripTests {
    private static func array(_ texts: [String?]) -> PostgresValue {
        PostgresValue(array: texts.map { text in text.map { PostgresValue($0) } })
    }

    private static func array(_ numbers: [Double?]) -> PostgresValue {
        PostgresValue(array: numbers.map { number in number.map { PostgresValue($0) } })
    }

    private static func array(_ flags: [Bool?]) -> PostgresValue {
        PostgresValue(array: flags.map { flag in flag.map { PostgresValue($0) } })
    }

    /// Every element of `array`, in order, as PostgreSQL's text output of `expression` over `value`.
    private static func unnest(
        _ db: PostgresClient, _ array: PostgresValue, as type: String, select expression: String = "value::text"
    ) async throws -> [String?] {
        let rows = try await db.query(
            """
            SELECT \(expression) AS out FROM unnest($1::\(type)[]) WITH ORDINALITY AS u(value, position)
            ORDER BY position
            """, [array])
        return try rows.map { try $0.string("out") }
    }

    static let trickyTexts: [String?] = [
        "", " ", "  leading and trailing  ", "NULL", "null", nil, "a,b", ",", "{", "}", "{a,b}", "{}", #"""#, #"\"#,
        #"\""#, #"\\"#, #"back\slash"#, #"quote"d"#, "tab\tnewline\ncr\r", "ünïcode ✓ \u{1F600} 中文",
        "O'Reilly; DROP TABLE x; --", "$1", "[1:2]={a,b}", "\u{7f}\u{1}", nil,
    ]

    @Test func textSurvivesVerbatim() async throws {
        try await StoreFixtures.withPostgres { db async throws in
            #expect(try await Self.unnest(db, Self.array(Self.trickyTexts), as: "text") == Self.trickyTexts)
            #expect(try await Self.unnest(db, PostgresValue(array: []), as: "text") == [])
        }
    }

    @Test func randomTextSurvivesVerbatim() async throws {
        let alphabet: [Character] = [
            "a", "Z", " ", ",", "{", "}", "\"", "\\", "'", "\t", "\n", "N", "U", "L", "ü", "✓", "\u{1F600}",
            "[", "]", ":", "=",
        ]
        var generator = SystemRandomNumberGenerator()
        let texts: [String?] = (0..<500).map { _ in
            if Int.random(in: 0..<20, using: &generator) == 0 { return nil }
            let count = Int.random(in: 0...12, using: &generator)
            return String((0..<count).map { _ in alphabet.randomElement(using: &generator) ?? "a" })
        }
        try await StoreFixtures.withPostgres { db in
            let back = try await Self.unnest(db, Self.array(texts), as: "text")
            #expect(back.count == texts.count)
            for (sent, received) in zip(texts, back) where sent != received {
                Issue.record("sent \(String(reflecting: sent)), got \(String(reflecting: received))")
            }
        }
    }

    @Test func float8KeepsEveryBitIncludingNaNAndInfinities() async throws {
        let numbers: [Double?] = [
            0, -0.0, 1.5, -2.25e-300, .pi, 0.1, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            .leastNonzeroMagnitude, .nan, .infinity, -.infinity, nil, 42,
        ]
        try await StoreFixtures.withPostgres { db in
            let rows = try await db.query(
                "SELECT value FROM unnest($1::float8[]) WITH ORDINALITY AS u(value, position) ORDER BY position",
                [Self.array(numbers)])
            let back = try rows.map { try $0.double("value") }
            #expect(back.count == numbers.count)
            for (sent, received) in zip(numbers, back) {
                switch (sent, received) {
                case (nil, nil): break
                case (let sent?, let received?) where sent.isNaN: #expect(received.isNaN)
                case (let sent?, let received?):
                    #expect(sent.bitPattern == received.bitPattern, "\(sent) → \(received)")
                default: Issue.record("sent \(String(describing: sent)), got \(String(describing: received))")
                }
            }
        }
    }

    @Test func booleansAndNULL() async throws {
        try await StoreFixtures.withPostgres { db in
            let values: [Bool?] = [true, false, nil, true]
            let rows = try await db.query(
                "SELECT value FROM unnest($1::boolean[]) WITH ORDINALITY AS u(value, position) ORDER BY position",
                [Self.array(values)])
            #expect(try rows.map { try $0.bool("value") } == values)
        }
    }

    @Test func timestamptzKeepsTheInstantToTheMillisecond() async throws {
        let instants: [(text: String?, millis: Int64?)] = [
            ("2024-04-24T23:06:40.123Z", 1_714_000_000_123), ("1970-01-01T00:00:00Z", 0),
            ("1969-12-31T23:59:59.999Z", -1), (nil, nil), ("2024-04-25T01:06:40.5+02:00", 1_714_000_000_500),
            ("2038-01-19T03:14:08.001Z", 2_147_483_648_001),
        ]
        try await StoreFixtures.withPostgres { db in
            let back = try await Self.unnest(
                db, Self.array(instants.map(\.text)), as: "timestamptz",
                select: "(extract(epoch FROM value) * 1000)::bigint::text")
            #expect(back == instants.map { $0.millis.map(String.init) })
        }
    }

    @Test func jsonbKeepsDocumentsAndTellsJSONNullFromSQLNULL() async throws {
        // Written in jsonb's own output form, so the text that comes back is the text that went in.
        let documents: [String?] = [
            #"{"a": "x,\"y\"}"}"#, "[1, 2.5, null]", #""NULL""#, "null", nil, "{}", "[]",
            #""tab\tü ✓ \\ back""#, #"{"k": {"nested": ["{", "}", ","]}}"#,
        ]
        try await StoreFixtures.withPostgres { db in
            let array = Self.array(documents)
            #expect(try await Self.unnest(db, array, as: "jsonb") == documents)
            let sqlNulls = try await Self.unnest(db, array, as: "jsonb", select: "(value IS NULL)::text")
            #expect(sqlNulls == documents.map { $0 == nil ? "true" : "false" })
        }
    }

    @Test func aNULByteIsRefusedBeforeSending() async throws {
        try await StoreFixtures.withPostgres { db async throws in
            let error = await #expect(throws: StoreError.self) {
                try await db.query("SELECT unnest($1::text[])", [PostgresValue(array: ["ok", "nul\u{0}inside"])])
            }
            #expect(error?.code == .invalidArgument)
            #expect(try await Self.unnest(db, PostgresValue(array: ["still fine"]), as: "text") == ["still fine"])
        }
    }
}
