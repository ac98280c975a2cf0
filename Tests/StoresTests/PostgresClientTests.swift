import EmbeddedStores
import Testing

@testable import Stores

private struct Abort: Error {}

@Suite("PostgresClient against a real PostgreSQL")
struct PostgresClientTests {
    @Test func hostileValuesAreStoredVerbatim() async throws {
        try await StoreFixtures.withIsolatedPostgres { db in
            try await db.execute("CREATE TABLE notes (id bigint PRIMARY KEY, body text)")
            let hostile = "O'Reilly; DROP TABLE notes; -- \\ \"quoted\" $1 \u{1F600}"
            #expect(try await db.execute("INSERT INTO notes (id, body) VALUES ($1, $2)", [1, .init(hostile)]) == 1)
            let rows = try await db.query("SELECT body FROM notes WHERE body = $1", [.init(hostile)])
            #expect(rows.count == 1)
            #expect(try rows[0].string("body") == hostile)
            #expect(try await db.query("SELECT count(*) AS n FROM notes")[0].int64("n") == 1)
        }
    }

    @Test func preparedStatementsAreReusedAndManyDistinctTextsStillRun() async throws {
        try await StoreFixtures.withIsolatedPostgres { db in
            try await db.execute("CREATE TABLE seen (id int PRIMARY KEY)")
            for i in 0..<200 {
                try await db.execute("INSERT INTO seen VALUES ($1)", [.init(i)])
            }
            // More distinct parameterized texts than a connection keeps prepared: the rest go as text each time.
            let limit = PostgresConnection.maximumPreparedStatements
            for i in 0..<(limit + 10) {
                let rows = try await db.query("SELECT count(*) + \(i) AS n FROM seen WHERE id >= $1", [0])
                #expect(try rows[0].int("n") == 200 + i)
            }
            // A statement that cannot be prepared fails with the server's reason and leaves the connection usable.
            await #expect(throws: StoreError.self) { try await db.query("SELECT nope FROM seen WHERE id = $1", [1]) }
            #expect(try await db.query("SELECT count(*) AS n FROM seen WHERE id < $1", [10])[0].int("n") == 10)
        }
    }

    @Test func aStatementTheServerForgotIsPreparedAgain() async throws {
        try await StoreFixtures.withIsolatedPostgres(poolSize: 1) { db in
            let sql = "SELECT $1::int + 1 AS n"
            #expect(try await db.query(sql, [1])[0].int("n") == 2)
            try await db.execute("DEALLOCATE ALL")  // what a pooler or DISCARD ALL does behind our back
            #expect(try await db.query(sql, [2])[0].int("n") == 3)
            #expect(try await db.query(sql, [3])[0].int("n") == 4)
            #expect(try await db.query("SELECT $1::int * 2 AS n", [4])[0].int("n") == 8)
        }
    }

    @Test func nullsGoInAndComeOut() async throws {
        try await StoreFixtures.withIsolatedPostgres { db in
            try await db.execute("CREATE TABLE maybe (id int, amount float8, note text)")
            try await db.execute("INSERT INTO maybe VALUES ($1, $2, $3)", [1, nil, nil])
            let row = try #require(try await db.query("SELECT id, amount, note FROM maybe").first)
            #expect(row.values == ["1", nil, nil])
            #expect(try row.double("amount") == nil)
            #expect(try row.string("note") == nil)
            #expect(row["note"] == nil)
            let count = try await db.query(
                "SELECT count(*) AS n FROM maybe WHERE note IS NULL AND $1::text IS NULL", [nil])
            #expect(try count[0].int("n") == 1)
        }
    }

    @Test func typedAccessorsDecodeTextOutput() async throws {
        try await StoreFixtures.withPostgres { db in
            let rows = try await db.query(
                """
                SELECT $1::bigint AS big, $2::float8 AS ratio, $3::float8 AS inf, $4::boolean AS yes,
                       $5::bytea AS raw, $6::text AS word, 'not a number'::text AS bad
                """,
                [
                    PostgresValue(Int64.max), 0.125, PostgresValue(Double.infinity), true,
                    .init(bytes: [0, 1, 0xfe, 0xff]),
                    "héllo",
                ])
            let row = try #require(rows.first)
            #expect(rows.columns == ["big", "ratio", "inf", "yes", "raw", "word", "bad"])
            #expect(try row.int64("big") == Int64.max)
            #expect(try row.double("ratio") == 0.125)
            #expect(try row.double("inf") == .infinity)
            #expect(try row.bool("yes") == true)
            #expect(try row.bytes("raw") == [0, 1, 0xfe, 0xff])
            #expect(try row.string("word") == "héllo")
            let badNumber = #expect(throws: StoreError.self) { try row.int64("bad") }
            #expect(badNumber?.code == .unexpectedReply)
            #expect(badNumber?.message.contains("'bad'") == true)
            let missing = #expect(throws: StoreError.self) { try row.string("nope") }
            #expect(missing?.message.contains("no column 'nope'") == true)
        }
    }

    @Test func serverErrorsCarryTheirSQLState() async throws {
        try await StoreFixtures.withIsolatedPostgres { db in
            let typeError = await #expect(throws: StoreError.self) {
                try await db.query("SELECT $1::bigint", ["not a number"])
            }
            #expect(typeError?.code == .serverError)
            #expect(typeError?.sqlState == "22P02")
            #expect(typeError?.message.contains("invalid input syntax") == true)

            let syntax = await #expect(throws: StoreError.self) { try await db.query("SELEC 1") }
            #expect(syntax?.sqlState == "42601")

            try await db.execute("CREATE TABLE unique_keys (id text PRIMARY KEY)")
            try await db.execute("INSERT INTO unique_keys VALUES ($1)", ["a"])
            let duplicate = await #expect(throws: StoreError.self) {
                try await db.execute("INSERT INTO unique_keys VALUES ($1)", ["a"])
            }
            #expect(duplicate?.isUniqueViolation == true)
            #expect(duplicate?.message.contains("already exists") == true)

            // Only one statement per call: a second one smuggled into the SQL is rejected, not run.
            let twoStatements = await #expect(throws: StoreError.self) {
                try await db.query("SELECT $1::int; DROP TABLE unique_keys", [1])
            }
            #expect(twoStatements?.code == .serverError)
            #expect(try await db.query("SELECT count(*) AS n FROM unique_keys")[0].int("n") == 1)
        }
    }

    @Test func parametersWithNulBytesAreRefused() async throws {
        try await StoreFixtures.withPostgres { db in
            let error = await #expect(throws: StoreError.self) { try await db.query("SELECT $1::text", ["a\0b"]) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("$1") == true)
        }
    }

    @Test func transactionCommitsOrRollsBack() async throws {
        try await StoreFixtures.withIsolatedPostgres(poolSize: 2) { db in
            try await db.execute("CREATE TABLE ledger (id int PRIMARY KEY)")
            let committed = try await db.withTransaction { tx in
                try await tx.execute("INSERT INTO ledger VALUES ($1)", [1])
                try await tx.execute("INSERT INTO ledger VALUES ($1)", [2])
                return try await tx.query("SELECT count(*) AS n FROM ledger")[0].int("n")
            }
            #expect(committed == 2)

            await #expect(throws: Abort.self) {
                try await db.withTransaction { tx in
                    try await tx.execute("INSERT INTO ledger VALUES ($1)", [3])
                    throw Abort()
                }
            }
            let serverError = await #expect(throws: StoreError.self) {
                try await db.withTransaction { tx in
                    try await tx.execute("INSERT INTO ledger VALUES ($1)", [4])
                    try await tx.execute("INSERT INTO ledger VALUES ($1)", [1])
                }
            }
            #expect(serverError?.isUniqueViolation == true)
            let ids = try await db.query("SELECT id FROM ledger ORDER BY id").map { try $0.int("id") }
            #expect(ids == [1, 2])
        }
    }

    @Test func transactionHandleDiesWithItsBody() async throws {
        try await StoreFixtures.withPostgres(poolSize: 1) { db in
            let escaped = try await db.withTransaction { $0 }
            let error = await #expect(throws: StoreError.self) { try await escaped.query("SELECT 1") }
            #expect(error?.code == .invalidArgument)
            try await db.ping()
        }
    }

    @Test func batchInsertsTenThousandRows() async throws {
        try await StoreFixtures.withIsolatedPostgres { db in
            try await db.execute(
                "CREATE TABLE scored (tx_id text PRIMARY KEY, user_id text NOT NULL, amount float8, risky boolean)")
            let rows: [[PostgresValue?]] = (0..<10_000).map { index in
                [.init("tx-\(index)"), .init("user-\(index % 97)"), .init(Double(index) * 1.5), .init(index % 7 == 0)]
            }
            let sql = "INSERT INTO scored (tx_id, user_id, amount, risky) VALUES ($1, $2, $3, $4)"
            let clock = ContinuousClock()
            var inserted = 0
            let elapsed = try await clock.measure { inserted = try await db.executeBatch(sql, rows) }
            print("benchmark: pipelined batch insert of 10,000 rows (4 columns): \(elapsed)")
            #expect(inserted == 10_000)
            let summary = try await db.query(
                "SELECT count(*) AS n, sum(amount) AS total, count(*) FILTER (WHERE risky) AS risky FROM scored")
            #expect(try summary[0].int("n") == 10_000)
            #expect(try summary[0].double("total") == 1.5 * Double(9_999 * 10_000 / 2))
            #expect(try summary[0].int("risky") == 1_429)

            // Idempotent re-run: every row conflicts, nothing changes.
            #expect(try await db.executeBatch(sql + " ON CONFLICT (tx_id) DO NOTHING", rows) == 0)
        }
    }

    /// Megabytes flowing both ways in one pipeline, far more than the socket buffers hold: the whole batch is sent
    /// before results are read, so this relies on libpq reading ahead while it writes; a hang hits the time limit.
    @Test(.timeLimit(.minutes(1))) func largeBatchesFlowBothWaysWithoutDeadlock() async throws {
        try await StoreFixtures.withPostgres { db async throws in
            let payload = String(repeating: "p", count: 1_000)
            let sets: [[PostgresValue?]] = (0..<3_000).map { [.init("\($0)-" + payload)] }
            #expect(try await db.executeBatch("SELECT $1::text || repeat('r', 4000)", sets) == 3_000)
        }
    }

    @Test func aFailingBatchAppliesNothing() async throws {
        try await StoreFixtures.withIsolatedPostgres { db in
            try await db.execute("CREATE TABLE batch (id int PRIMARY KEY)")
            var rows: [[PostgresValue?]] = (0..<1_200).map { [PostgresValue($0)] }
            rows[700] = [PostgresValue(3)]  // duplicate of row 3, in the second chunk
            let error = await #expect(throws: StoreError.self) {
                try await db.executeBatch("INSERT INTO batch (id) VALUES ($1)", rows)
            }
            #expect(error?.isUniqueViolation == true)
            #expect(error?.message.hasPrefix("parameter set 700:") == true, "\(error?.message ?? "")")
            #expect(try await db.query("SELECT count(*) AS n FROM batch")[0].int("n") == 0)

            let mismatched = await #expect(throws: StoreError.self) {
                try await db.executeBatch("INSERT INTO batch (id) VALUES ($1)", [[1], [2, 3]])
            }
            #expect(mismatched?.code == .invalidArgument)
            // The connection is still fine after both failures.
            #expect(try await db.executeBatch("INSERT INTO batch (id) VALUES ($1)", [[1], [2]]) == 2)
            #expect(try await db.executeBatch("INSERT INTO batch (id) VALUES ($1)", []) == 0)
        }
    }

    @Test func batchInsideATransactionRollsBackWithIt() async throws {
        try await StoreFixtures.withIsolatedPostgres { db in
            try await db.execute("CREATE TABLE batch (id int PRIMARY KEY)")
            await #expect(throws: Abort.self) {
                try await db.withTransaction { tx in
                    #expect(try await tx.executeBatch("INSERT INTO batch (id) VALUES ($1)", [[1], [2], [3]]) == 3)
                    throw Abort()
                }
            }
            #expect(try await db.query("SELECT count(*) AS n FROM batch")[0].int("n") == 0)
        }
    }

    @Test func manyConcurrentQueriesShareASmallPool() async throws {
        try await StoreFixtures.withPostgres(poolSize: 2) { db in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let rows = try await db.query("SELECT $1::int * 2 AS doubled", [PostgresValue(index)])
                        #expect(try rows[0].int("doubled") == index * 2)
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func configurationValidatesAndMasksURLs() throws {
        let configuration = try PostgresClient.Configuration(url: "postgresql://alerts:hunter2@db.internal:5433/txad")
        #expect(configuration.description == "postgresql://alerts:***@db.internal:5433/txad (pool 4)")
        #expect(configuration.connectionString.hasSuffix("?connect_timeout=2"))
        let explicit = try PostgresClient.Configuration(url: "postgres://u@h/db?connect_timeout=7")
        #expect(explicit.connectionString == "postgres://u@h/db?connect_timeout=7")

        for (url, fragment) in [
            ("mysql://u@h/db", "postgresql://"), ("postgresql://u@h/db?nosuchoption=1", "nosuchoption"),
        ] {
            let error = #expect(throws: StoreError.self) { try PostgresClient.Configuration(url: url) }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
        }
    }
}
