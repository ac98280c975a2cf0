import Domain
import Registry
import Testing
import Wire

@testable import AlertsService

/// Precision of decided alerts per model version, as the alerts service exports it.
@Suite struct PrecisionExporterTests {
    @Test func precisionIsPerVersionOfDecidedAlerts() async throws {
        try await AlertsServiceTests.withAlerts { fx in
            func scored(_ id: String, _ version: String) -> ScoredTransaction {
                var item = AlertsServiceTests.scored(id, .high)
                item.score.modelVersion = version
                return item
            }
            let items = ["a1", "a2", "a3", "a4"].map { scored($0, "v1") } + ["b1", "b2", "b3"].map { scored($0, "v2") }
            _ = try await fx.alerts.record(RecordRequest(items: items))
            let exporter = PrecisionExporter(database: fx.database, interval: .seconds(60), logger: AlertsServiceTests.logger)
            #expect(await exporter.tick().isEmpty)  // nothing decided yet
            // v1: 3 fraud of 4 decided; v2: 0 of 1 decided (b2, b3 pending).
            try await fx.database.execute(
                """
                UPDATE alerts SET status = CASE WHEN transaction_id IN ('a1', 'a2', 'a3') THEN 'confirmed_fraud'
                    ELSE 'legitimate' END, decided_by = 'ann', decided_at = now()
                WHERE transaction_id IN ('a1', 'a2', 'a3', 'a4', 'b1')
                """)
            let figures = await exporter.tick()
            #expect(figures.map(\.version) == ["v1", "v2"])
            #expect(figures.map(\.decided) == [4, 1] && figures.map(\.confirmedFraud) == [3, 0])
            #expect(figures.map(\.precision) == [0.75, 0])
        }
    }
}
