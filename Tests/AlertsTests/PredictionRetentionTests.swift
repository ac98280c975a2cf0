import Domain
import EmbeddedStores
import Foundation
import Logging
import Stores
import Testing
import Wire

@testable import AlertsService

/// `predictions` partitioned by risk and day (migration 50) on a real PostgreSQL: retention drops old low-risk days
/// and keeps alerts, `/stats` counts are exact and outlive retention, and an existing database migrates.
@Suite(.timeLimit(.minutes(5)))
struct PredictionRetentionTests {
    static let day: Int64 = 86_400_000
    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func scored(_ id: String, _ risk: RiskLevel, daysAgo: Int64, scoredAt: Int64? = nil) -> ScoredTransaction {
        let time = now - daysAgo * day - 60_000
        return AlertsServiceTests.scored(id, risk, scoredAtMillis: scoredAt ?? time, timestampMillis: time)
    }

    static func lowIDs(_ fx: AlertsFixture) async throws -> Set<String> {
        let rows = try await fx.database.query("SELECT transaction_id FROM predictions WHERE risk_level = 'low'")
        return Set(try rows.compactMap { try $0.string("transaction_id") })
    }

    static func partitionExists(_ fx: AlertsFixture, daysAgo: Int64) async throws -> Bool {
        let rows = try await fx.database.query(
            """
            SELECT to_regclass('predictions_low_' || to_char((now() AT TIME ZONE 'UTC')::date - $1::int, 'YYYYMMDD'))
                IS NOT NULL AS present
            """, [PostgresValue(Int(daysAgo))])
        return try rows.first?.bool("present") ?? false
    }

    @Test func retentionDropsOldLowRiskDaysAndKeepsAlertsAndCounts() async throws {
        try await AlertsServiceTests.withAlerts { fx in
            let items = [
                Self.scored("low-today", .low, daysAgo: 0), Self.scored("low-10", .low, daysAgo: 10),
                Self.scored("low-40", .low, daysAgo: 40), Self.scored("low-100", .low, daysAgo: 100),
                Self.scored("high-100", .high, daysAgo: 100), Self.scored("critical-40", .critical, daysAgo: 40),
            ]
            _ = try await fx.alerts.record(RecordRequest(items: items))
            await fx.service.batcher.flush()
            // Days 40 back to today get partitions; the rows of those days move out of DEFAULT.
            _ = try await fx.database.query(
                "SELECT txad_create_prediction_partitions((now() AT TIME ZONE 'UTC')::date - 40, 41) AS n")
            let placed = try await fx.database.query(
                "SELECT transaction_id, tableoid::regclass::text AS part FROM predictions ORDER BY 1")
            let partitions = Dictionary(
                uniqueKeysWithValues: try placed.map { (try $0.string("transaction_id") ?? "", try $0.string("part") ?? "") })
            #expect(partitions["low-40"]?.hasPrefix("predictions_low_2") == true)
            #expect(partitions["low-100"] == "predictions_low_default")
            #expect(partitions["high-100"] == PredictionPartitions.alerted)
            #expect(partitions["critical-40"] == PredictionPartitions.alerted)
            let before = try await fx.alerts.stats()

            let first = try await PredictionPartitions.maintain(database: fx.database, retentionDays: 30)
            #expect(first.dropped == 10)  // days 40…31 back: wholly before the cutoff (30 days back, 00:00 UTC)
            #expect(try await Self.lowIDs(fx) == ["low-today", "low-10"])
            #expect(try await Self.partitionExists(fx, daysAgo: 31) == false)
            #expect(try await Self.partitionExists(fx, daysAgo: 10))
            #expect(try await Self.partitionExists(fx, daysAgo: -Int64(PredictionPartitions.daysAhead)))
            let again = try await PredictionPartitions.maintain(database: fx.database, retentionDays: 30)
            #expect(again.dropped == 0 && again.created == 0)

            // Alerts and their predictions stay, in the queue and in detail; counts are unchanged.
            #expect(try await fx.count("SELECT count(*) AS n FROM alerts") == 2)
            let queue = try await fx.reviews.queue(ReviewQueueRequest())
            #expect(Set(queue.items.map(\.alert.scored.transaction.transactionID)) == ["high-100", "critical-40"])
            #expect(queue.items.allSatisfy { $0.alert.scored.transaction.amount == 42.5 })
            let after = try await fx.alerts.stats()
            #expect(after.predictions == 6 && before.predictions == 6)
            #expect(after.predictionsByRisk == before.predictionsByRisk)
            #expect(after.anomalies == 2)
        }
    }

    @Test func alertsReferenceOnlyAlertedPredictions() async throws {
        try await AlertsServiceTests.withAlerts { fx in
            let item = Self.scored("only-low", .low, daysAgo: 0)
            _ = try await fx.alerts.record(RecordRequest(items: [item]))
            await fx.service.batcher.flush()
            await #expect(throws: StoreError.self) {
                try await fx.database.execute(
                    """
                    INSERT INTO alerts (transaction_id, risk_level, ensemble, reasons, model_version)
                    VALUES ('only-low', 'high', 0.9, '[]', 'v')
                    """)
            }
            // The same transaction again, retried or replayed, is recorded once.
            _ = try await fx.alerts.record(RecordRequest(items: [item]))
            await fx.service.batcher.flush()
            #expect(try await fx.count("SELECT count(*) AS n FROM predictions") == 1)
            #expect(try await fx.alerts.stats().predictions == 1)
        }
    }

    @Test func statsSinceCountsExactlyFromTheHourlyCounts() async throws {
        try await AlertsServiceTests.withAlerts { fx in
            let hour: Int64 = 3_600_000
            let base = (Self.now / hour - 5) * hour  // five hours ago, on the hour
            let offsets: [Int64] = [0, 1, hour - 1, hour, hour + 90_000, 2 * hour + 1_800_000, 4 * hour + 5]
            var items: [ScoredTransaction] = []
            for (index, offset) in offsets.enumerated() {
                items.append(
                    Self.scored("s\(index)", index % 3 == 0 ? .high : .low, daysAgo: 0, scoredAt: base + offset))
            }
            _ = try await fx.alerts.record(RecordRequest(items: items))
            await fx.service.batcher.flush()
            for since in [0, base, base + 1, base + hour - 1, base + hour, base + hour + 30_000, base + 3 * hour] {
                let stats = try await fx.alerts.stats(StatsRequest(sinceMillis: since))
                let expected = offsets.filter { base + $0 >= since }.count
                #expect(stats.predictions == UInt64(expected), "since \(since - base) ms after the base hour")
            }
        }
    }

    @Test func existingDatabaseMigratesIntoPartitions() async throws {
        try await AlertsServiceTests.withAlerts(migrate: false) { fx in
            let logger = Logger(label: "test.retention")
            let before = AlertSchema.migrations.filter { $0.version < PredictionPartitions.migration.version }
            try await PostgresMigrator(client: fx.database, migrations: before, logger: logger).migrate()
            let items = [
                Self.scored("old-low", .low, daysAgo: 3), Self.scored("old-high", .high, daysAgo: 3),
                Self.scored("ancient-low", .low, daysAgo: 500), Self.scored("new-low", .low, daysAgo: 0),
            ]
            try await AlertRecorder(database: fx.database).record(items)
            #expect(try await fx.count("SELECT count(*) AS n FROM pg_partitioned_table") == 0)

            await fx.tick()
            #expect(fx.service.isSchemaReady)
            #expect(try await fx.count("SELECT count(*) AS n FROM pg_partitioned_table") == 2)
            let placed = try await fx.database.query(
                "SELECT transaction_id, tableoid::regclass::text AS part FROM predictions ORDER BY 1")
            let partitions = Dictionary(
                uniqueKeysWithValues: try placed.map { (try $0.string("transaction_id") ?? "", try $0.string("part") ?? "") })
            #expect(partitions.count == 4)
            #expect(partitions["old-high"] == PredictionPartitions.alerted)
            #expect(partitions["ancient-low"] == "predictions_low_default")
            #expect(partitions["old-low"]?.hasPrefix("predictions_low_2") == true)
            #expect(try await fx.alerts.stats().predictions == 4)
            let queue = try await fx.reviews.queue(ReviewQueueRequest())
            #expect(queue.items.map(\.alert.scored.transaction.transactionID) == ["old-high"])
            #expect(
                try await fx.count(
                    "SELECT count(*) AS n FROM pg_constraint WHERE conname = 'alerts_transaction_id_fkey'") == 1)
        }
    }
}
