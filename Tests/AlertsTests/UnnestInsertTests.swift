import Stores
import Testing

@testable import AlertsService

@Suite struct UnnestInsertTests {
    private struct Item {
        let id: String
        let score: Double?
    }

    private static let insert = UnnestInsert<Item>(
        into: "scores", conflictKey: "id",
        columns: [
            .init("id", "text") { item in PostgresValue(item.id) },
            .init("score", "float8") { item in item.score.map { PostgresValue($0) } },
        ])

    @Test func oneArrayParameterPerColumnInColumnOrder() {
        #expect(
            Self.insert.sql == """
                INSERT INTO scores (id, score)
                SELECT * FROM unnest($1::text[], $2::float8[])
                ON CONFLICT (id) DO NOTHING
                """)
        let parameters = Self.insert.parameters([Item(id: "a", score: 0.5), Item(id: "b,\"c\"", score: nil)])
        #expect(parameters == [PostgresValue(#"{"a","b,\"c\""}"#), PostgresValue(#"{"0.5",NULL}"#)])
        #expect(Self.insert.parameters([]) == [PostgresValue("{}"), PostgresValue("{}")])
    }

    @Test func alertRecorderStatementsAreIdempotentByTransactionID() {
        #expect(AlertRecorder.insertAlerts.sql.hasSuffix("ON CONFLICT (transaction_id) DO NOTHING"))
        // Partitioned: the unique key includes the partition columns, so any unique violation is skipped.
        #expect(AlertRecorder.insertPredictions.sql.hasSuffix("ON CONFLICT DO NOTHING"))
        #expect(AlertRecorder.insertPredictions.sql.contains("$20::timestamptz[]"))
        #expect(AlertRecorder.insertAlerts.sql.contains("$4::jsonb[]"))
    }
}
