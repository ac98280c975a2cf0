import Stores

/// An `INSERT … SELECT * FROM unnest($1::type[], …) ON CONFLICT (key) DO NOTHING` that writes any number of items
/// with one statement: each column is one array parameter.
///
/// One statement costs the server one parse, plan and executor start-up whatever the number of rows; a statement
/// per row pays them per row. The column list and the parameter types come from the same `Column` values, so they
/// cannot drift apart.
///
/// Duplicate keys within one call are skipped like rows already in the table (`DO NOTHING` accepts a row the same
/// statement inserted; only `DO UPDATE` refuses that). The function scan yields rows in array order, so the first
/// occurrence is the one kept.
struct UnnestInsert<Item>: Sendable {
    /// One column: its name, the PostgreSQL type of its values, and its value for an item (nil for NULL).
    struct Column: Sendable {
        let name: String
        let type: String
        let value: @Sendable (Item) -> PostgresValue?

        init(_ name: String, _ type: String, _ value: @escaping @Sendable (Item) -> PostgresValue?) {
            self.name = name
            self.type = type
            self.value = value
        }
    }

    /// The statement; its parameters come from ``parameters(_:)``.
    let sql: String
    private let columns: [Column]

    /// - Parameters:
    ///   - table, conflictKey: SQL identifiers from the code, never from input. Without a key, a row that would
    ///     violate any unique index is skipped (the only form PostgreSQL accepts when no single unique index is the
    ///     identity, as on a partitioned table whose key must contain the partition columns).
    init(into table: String, conflictKey: String?, columns: [Column]) {
        self.columns = columns
        let names = columns.map(\.name).joined(separator: ", ")
        let arrays = columns.enumerated().map { "$\($0.offset + 1)::\($0.element.type)[]" }.joined(separator: ", ")
        sql = """
            INSERT INTO \(table) (\(names))
            SELECT * FROM unnest(\(arrays))
            ON CONFLICT \(conflictKey.map { "(\($0)) " } ?? "")DO NOTHING
            """
    }

    /// The statement's parameters for `items`: one array per column, in column order.
    func parameters(_ items: [Item]) -> [PostgresValue?] {
        columns.map { column in PostgresValue(array: items.map(column.value)) }
    }
}
