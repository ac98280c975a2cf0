import Domain
import Registry
import TestSupport
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

    @Test("txad models show V prints the precision of that version's decided alerts")
    func modelsShowPrintsPrecision() async throws {
        let bundles = try await RegistryTestFixtures.bundles()
        try await AlertsServiceTests.withAlerts { fx in
            let registry = BundleRegistry(client: fx.database)
            try await registry.register(directory: bundles.directory("v1"), by: "alice")
            try await registry.register(directory: bundles.directory("v2"), by: "alice")
            func show(_ version: String) async throws -> String {
                let result = try await Command.txad(
                    ["models", "show", version, "--database-url", fx.postgres.url], environment: ["DATABASE_URL": nil])
                return result.output
            }
            #expect(try await show("v1").contains("precision      no decided alerts of this version yet\n"))
            let items = (1...4).map { Self.scored("a\($0)", "v1") } + (1...3).map { Self.scored("b\($0)", "v2") }
            _ = try await fx.alerts.record(RecordRequest(items: items))
            try await fx.database.execute(
                """
                UPDATE alerts SET status = CASE WHEN transaction_id IN ('a1', 'a2', 'a3') THEN 'confirmed_fraud'
                    ELSE 'legitimate' END, decided_by = 'ann', decided_at = now()
                WHERE transaction_id IN ('a1', 'a2', 'a3', 'a4', 'b1')
                """)
            let v1 = try await show("v1")
            #expect(v1.contains("precision      75.00 % (3 fraud, 1 legitimate of 4 decided alerts)\n"), "\(v1)")
            let v2 = try await show("v2")
            #expect(v2.contains("precision      0.00 % (0 fraud, 1 legitimate of 1 decided alerts)\n"), "\(v2)")
            // The same figures as the exporter's gauges: one query behind both.
            let exported = await PrecisionExporter(
                database: fx.database, interval: .seconds(60), logger: AlertsServiceTests.logger
            ).tick()
            let v1Figures = try await VersionPrecision.of("v1", client: fx.database)
            let v2Figures = try await VersionPrecision.of("v2", client: fx.database)
            #expect(exported == [v1Figures, v2Figures])
        }
        // A registry database without the alerts tables: `show` still prints the version and says why.
        try await RegistryTestFixtures.withRegistry { registry, _, url in
            try await registry.register(directory: bundles.directory("v1"), by: "alice")
            let output = try await Command.txad(["models", "show", "v1", "--database-url", url]).output
            #expect(output.contains("version        v1\n"))
            #expect(output.contains("precision      not available (no alerts table in this database"), "\(output)")
        }
    }

    private static func scored(_ id: String, _ version: String) -> ScoredTransaction {
        var item = AlertsServiceTests.scored(id, .high)
        item.score.modelVersion = version
        return item
    }
}
