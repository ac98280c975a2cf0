import Testing

@testable import Stores

@Suite("PostgresMigrator")
struct PostgresMigratorTests {
    private let migrations = [
        Migration(version: 1, name: "create_events", sql: "CREATE TABLE events (id bigserial PRIMARY KEY, note text)"),
        Migration(
            version: 2, name: "add_kind_and_seed",
            sql: """
                ALTER TABLE events ADD COLUMN kind text NOT NULL DEFAULT 'plain';
                INSERT INTO events (note) VALUES ('applied once');
                """),
        Migration(version: 3, name: "index_kind", sql: "CREATE INDEX events_kind ON events (kind)"),
    ]

    @Test func racingMigratorsApplyEachVersionExactlyOnce() async throws {
        try await StoreFixtures.withIsolatedSchema { url in
            // Four replicas starting at once, each with its own client (its own connections).
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await StoreFixtures.withPostgres(url: url, poolSize: 1) { db in
                            try await PostgresMigrator(client: db, migrations: migrations, logger: StoreFixtures.logger)
                                .migrate()
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(applied.sorted() == [1, 2, 3])
            try await StoreFixtures.withPostgres(url: url) { db in
                let history = try await db.query("SELECT version, name FROM schema_migrations ORDER BY version")
                #expect(try history.map { try $0.int("version") } == [1, 2, 3])
                #expect(
                    try history.map { try $0.string("name") } == ["create_events", "add_kind_and_seed", "index_kind"])
                #expect(try await db.query("SELECT count(*) AS n FROM events")[0].int("n") == 1)
            }
        }
    }

    @Test func upToDateSchemaIsLeftAlone() async throws {
        try await StoreFixtures.withIsolatedPostgres { db async throws in
            let migrator = PostgresMigrator(
                client: db, migrations: Array(migrations.prefix(1)), logger: StoreFixtures.logger)
            #expect(try await migrator.migrate() == [1])
            #expect(try await migrator.migrate().isEmpty)
            // A newer build adds versions on top.
            let newer = PostgresMigrator(client: db, migrations: migrations.reversed(), logger: StoreFixtures.logger)
            #expect(try await newer.migrate() == [2, 3])
            #expect(try await newer.migrate().isEmpty)
        }
    }

    @Test func olderBuildRefusesANewerSchema() async throws {
        try await StoreFixtures.withIsolatedPostgres { db in
            try await PostgresMigrator(client: db, migrations: migrations, logger: StoreFixtures.logger).migrate()
            let older = PostgresMigrator(
                client: db, migrations: Array(migrations.prefix(2)), logger: StoreFixtures.logger)
            let error = await #expect(throws: StoreError.self) { try await older.migrate() }
            #expect(error?.code == .schemaTooNew)
            #expect(error?.message.contains("version 3") == true)
        }
    }

    @Test func aFailingMigrationAppliesNothing() async throws {
        try await StoreFixtures.withIsolatedPostgres { db in
            let broken = migrations.prefix(1) + [Migration(version: 2, name: "typo", sql: "ALTER TABLE nope ADD x int")]
            let error = await #expect(throws: StoreError.self) {
                try await PostgresMigrator(client: db, migrations: Array(broken), logger: StoreFixtures.logger)
                    .migrate()
            }
            #expect(error?.code == .migrationFailed)
            #expect(error?.sqlState == "42P01")
            #expect(error?.message.contains("migration 2 (typo)") == true)
            let tables = try await db.query(
                "SELECT to_regclass('events')::text AS events, to_regclass('schema_migrations')::text AS history")
            #expect(tables[0].values == [nil, nil])
        }
    }

    @Test func inconsistentListsAndHistoriesAreRefused() async throws {
        try await StoreFixtures.withIsolatedPostgres { db in
            let duplicate = [migrations[0], Migration(version: 1, name: "again", sql: "SELECT 1")]
            let duplicateError = await #expect(throws: StoreError.self) {
                try await PostgresMigrator(client: db, migrations: duplicate, logger: StoreFixtures.logger).migrate()
            }
            #expect(duplicateError?.message.contains("appears twice") == true)

            let third = Migration(version: 3, name: "third", sql: "CREATE TABLE third (x int)")
            try await PostgresMigrator(client: db, migrations: [migrations[0], third], logger: StoreFixtures.logger)
                .migrate()
            let late = await #expect(throws: StoreError.self) {
                try await PostgresMigrator(
                    client: db, migrations: [migrations[0], migrations[1], third], logger: StoreFixtures.logger
                ).migrate()
            }
            #expect(late?.code == .migrationFailed)
            #expect(late?.message.contains("migration 2") == true)

            let missing = await #expect(throws: StoreError.self) {
                try await PostgresMigrator(
                    client: db, migrations: [third, Migration(version: 4, name: "x", sql: "SELECT 1")],
                    logger: StoreFixtures.logger
                ).migrate()
            }
            #expect(missing?.message.contains("does not have") == true)
        }
    }
}
