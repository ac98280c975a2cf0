import Logging

/// One versioned schema change.
public struct Migration: Sendable, Hashable {
    /// A positive version; migrations are applied in increasing order and each version exactly once.
    public var version: Int
    /// A short name, recorded next to the version (`create_alerts`).
    public var name: String
    /// The SQL, possibly several statements. It runs inside the migrator's transaction, so it must not contain
    /// `BEGIN`/`COMMIT` or statements that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`).
    public var sql: String

    /// Creates a migration.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies an ordered list of migrations exactly once, safely when several replicas start at the same time.
///
/// `migrate()` runs one transaction that takes a transaction-scoped advisory lock (so concurrent migrators queue
/// up), creates `schema_migrations (version, name, applied_at)` if needed, checks the recorded history against
/// the list, applies what is missing in version order, records each version, and commits. Either every pending
/// migration is applied or none is.
///
/// It refuses to run (`StoreError` `.schemaTooNew`) when the database records a version newer than the newest
/// in the list: an older build must not run against a newer schema. It also refuses (`.migrationFailed`) a
/// history with versions the list does not have, or a new migration numbered below one already applied.
public struct PostgresMigrator: Sendable {
    /// Key of the advisory lock all migrators share (`txadmigr` in ASCII).
    static let lockKey: Int64 = 0x7478_6164_6d69_6772

    private let client: PostgresClient
    private let migrations: [Migration]
    private let logger: Logger

    /// Creates a migrator for `migrations` (any order; they are sorted by version).
    public init(client: PostgresClient, migrations: [Migration], logger: Logger = Logger(label: "txad.migrations")) {
        self.client = client
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// Applies the pending migrations.
    ///
    /// - Returns: the versions this call applied (empty when the schema was up to date).
    /// - Throws: `StoreError` `.migrationFailed` (invalid list, inconsistent history, or a migration's SQL
    ///   failed — its `sqlState` is kept), `.schemaTooNew`, `.unavailable`.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try validateList()
        let known = migrations.last?.version ?? 0
        return try await client.withTransaction { transaction in
            _ = try await transaction.query("SELECT pg_advisory_xact_lock($1)", [PostgresValue(Self.lockKey)])
            try await transaction.executeScript(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version bigint PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let rows = try await transaction.query("SELECT version FROM schema_migrations ORDER BY version")
            let applied = try rows.compactMap { try $0.int64("version").map(Int.init) }
            let newest = applied.last ?? 0
            if newest > known {
                throw StoreError(
                    .schemaTooNew,
                    "the database schema is at version \(newest), newer than the newest migration this build knows "
                        + "(\(known)); run a build that knows version \(newest) or restore an older database")
            }
            let knownVersions = Set(migrations.map(\.version))
            if let unknown = applied.first(where: { !knownVersions.contains($0) }) {
                throw StoreError(
                    .migrationFailed,
                    "the database records migration \(unknown), which this build does not have; "
                        + "migrations must never be removed or renumbered")
            }
            let appliedSet = Set(applied)
            let pending = migrations.filter { !appliedSet.contains($0.version) }
            if let late = pending.first(where: { $0.version < newest }) {
                throw StoreError(
                    .migrationFailed,
                    "migration \(late.version) (\(late.name)) is not applied but \(newest) is; "
                        + "add new migrations with versions above \(newest)")
            }
            for migration in pending {
                do {
                    try await transaction.executeScript(migration.sql)
                } catch let error as StoreError where error.code == .serverError {
                    throw StoreError(
                        .migrationFailed,
                        "migration \(migration.version) (\(migration.name)) failed and nothing was applied: "
                            + error.message, sqlState: error.sqlState, underlying: error)
                }
                try await transaction.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    [PostgresValue(migration.version), PostgresValue(migration.name)])
                logger.info(
                    "applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
            return pending.map(\.version)
        }
    }

    private func validateList() throws {
        var seen = Set<Int>()
        for migration in migrations {
            guard migration.version > 0 else {
                throw StoreError(
                    .migrationFailed, "migration '\(migration.name)': version \(migration.version) must be positive")
            }
            guard seen.insert(migration.version).inserted else {
                throw StoreError(.migrationFailed, "migration version \(migration.version) appears twice")
            }
            guard !migration.name.isEmpty else {
                throw StoreError(.migrationFailed, "migration \(migration.version): the name must not be empty")
            }
        }
    }
}
