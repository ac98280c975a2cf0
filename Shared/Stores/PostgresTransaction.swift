import Synchronization

/// The statements of one transaction, given to the body of `PostgresClient.withTransaction`.
///
/// Every call runs on the transaction's connection. After the body returns the handle is dead: calls throw
/// `StoreError` `.invalidArgument` instead of running outside the transaction.
public struct PostgresTransaction: Sendable {
    private let pool: ConnectionPool<PostgresConnection>
    private let lease: ConnectionPool<PostgresConnection>.Lease
    private let scope = Scope()

    private final class Scope: Sendable {
        let isOpen = Atomic<Bool>(true)
    }

    init(pool: ConnectionPool<PostgresConnection>, lease: ConnectionPool<PostgresConnection>.Lease) {
        self.pool = pool
        self.lease = lease
    }

    /// Runs one parameterized statement in the transaction and returns its rows.
    public func query(_ sql: String, _ parameters: [PostgresValue?] = []) async throws -> PostgresRows {
        try await run { try $0.query(sql, parameters) }
    }

    /// Runs one parameterized statement in the transaction and returns the number of affected rows.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresValue?] = []) async throws -> Int {
        try await query(sql, parameters).affectedRows
    }

    /// `PostgresClient.executeBatch` inside the transaction: a failure aborts the whole transaction.
    @discardableResult
    public func executeBatch(_ sql: String, _ parameterSets: [[PostgresValue?]]) async throws -> Int {
        guard !parameterSets.isEmpty else { return 0 }
        return try await run { try $0.executeBatch(sql, parameterSets) }
    }

    /// Runs trusted SQL text (several statements, no parameters) in the transaction; for migrations only.
    func executeScript(_ sql: String) async throws {
        try await run { try $0.executeScript(sql) }
    }

    /// Marks the handle dead (the body returned).
    func end() {
        scope.isOpen.store(false, ordering: .releasing)
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        guard scope.isOpen.load(ordering: .acquiring) else {
            throw StoreError(
                .invalidArgument, "this PostgresTransaction was used after withTransaction's body returned")
        }
        return try await pool.run(on: lease, body)
    }
}
