import Domain
import EmbeddedStores
import Foundation
import Logging
import Stores
import Testing
import Wire

@testable import AlertsService

/// The alert counter tables (migration 60) on a real PostgreSQL: after a concurrent mixed workload of inserts,
/// claims, decisions, bulk decisions and overrides, every figure read from them equals a `count(*)` over `alerts`;
/// folding keeps them equal; an existing database is back-filled by the migration.
@Suite(.timeLimit(.minutes(5)))
struct AlertCountsTests {
    typealias Base = AlertsServiceTests

    /// Rows of `a` not in `b` plus rows of `b` not in `a` (two queries of the same columns).
    static func difference(_ fx: AlertsFixture, _ a: String, _ b: String) async throws -> Int {
        try await fx.count("SELECT count(*) AS n FROM (((\(a)) EXCEPT (\(b))) UNION ALL ((\(b)) EXCEPT (\(a)))) AS d")
    }

    /// Every figure served from the counters equals its ground truth over `alerts`.
    static func expectCountersMatch(_ fx: AlertsFixture, _ label: String) async throws {
        let counted = try await difference(
            fx,
            "SELECT hour, risk_level, status, sum(n)::bigint FROM alert_counts GROUP BY 1, 2, 3 HAVING sum(n) <> 0",
            "SELECT date_trunc('hour', created_at, 'UTC'), risk_level, status, count(*) FROM alerts GROUP BY 1, 2, 3")
        #expect(counted == 0, "alert_counts vs alerts (\(label))")
        let bucket = AlertCounts.decisionBucket("extract(epoch FROM decided_at - created_at)::float8")
        let timed = try await difference(
            fx,
            "SELECT risk_level, seconds, sum(n)::bigint FROM alert_decision_times GROUP BY 1, 2 HAVING sum(n) <> 0",
            """
            SELECT risk_level, \(bucket), count(*) FROM alerts WHERE status <> 'pending' AND decided_at IS NOT NULL
            GROUP BY 1, 2
            """)
        #expect(timed == 0, "alert_decision_times vs alerts (\(label))")
        let totals = try await difference(
            fx, "SELECT risk_level, status, sum(n)::bigint FROM alert_totals GROUP BY 1, 2 HAVING sum(n) <> 0",
            "SELECT risk_level, status, count(*) FROM alerts GROUP BY 1, 2")
        #expect(totals == 0, "alert_totals vs alerts (\(label))")
        let predictions = try await difference(
            fx,
            """
            SELECT risk_level, sum(n)::bigint, sum(anomalies)::bigint FROM prediction_totals GROUP BY 1
            HAVING sum(n) <> 0
            """,
            "SELECT risk_level, count(*), count(*) FILTER (WHERE is_anomaly) FROM predictions GROUP BY 1")
        #expect(predictions == 0, "prediction_totals vs predictions (\(label))")

        // Alerts/Stats, on and off the hour.
        let nowMillis = Int64(Date().timeIntervalSince1970 * 1000)
        for since in [Int64(0), (nowMillis / 3_600_000 - 3) * 3_600_000, nowMillis - 9_000_000 + 1234] {
            let stats = try await fx.alerts.stats(StatsRequest(sinceMillis: since))
            let parameters = [PostgresValue(RFC3339.format(millis: since))]
            let total = try await fx.count("SELECT count(*) AS n FROM alerts WHERE created_at >= $1::timestamptz", parameters)
            let pending = try await fx.count(
                "SELECT count(*) AS n FROM alerts WHERE created_at >= $1::timestamptz AND status = 'pending'", parameters)
            let fraud = try await fx.count(
                "SELECT count(*) AS n FROM alerts WHERE created_at >= $1::timestamptz AND status = 'confirmed_fraud'",
                parameters)
            #expect(stats.alerts == UInt64(total), "stats.alerts since \(since) (\(label))")
            #expect(stats.reviewBacklog == UInt64(pending), "stats.reviewBacklog since \(since) (\(label))")
            #expect(stats.reviewedFraud == UInt64(fraud), "stats.reviewedFraud since \(since) (\(label))")
        }

        // Reviews/Queue totals and breaches, by minimum risk and age.
        let sla = ReviewQueue.slaParameters(ReviewPolicy())
        for minRisk in [nil, RiskLevel.high] {
            for minAge in [0, 30, 100] {
                let queue = try await fx.reviews.queue(ReviewQueueRequest(minRisk: minRisk, minAgeMinutes: UInt32(minAge)))
                let risks = ReviewService.risks(atLeast: minRisk)
                let truth = try await fx.database.query(
                    """
                    SELECT count(*) AS n,
                        count(*) FILTER (WHERE a.created_at < now() - \(ReviewQueue.slaInterval(from: 2))) AS breached
                    FROM alerts a WHERE a.status = 'pending' AND a.risk_level = ANY($1::text[])
                      AND a.created_at <= now() - make_interval(mins => $6::int)
                    """, [risks] + sla + [PostgresValue(minAge)])
                let where_ = "queue \(minRisk?.rawValue ?? "any") ≥ \(minAge) min (\(label))"
                #expect(queue.total == UInt64(try truth.first?.int64("n") ?? -1), "total, \(where_)")
                #expect(queue.breached == UInt64(try truth.first?.int64("breached") ?? -1), "breached, \(where_)")
            }
        }

        // Alerts/ListReviews totals.
        for (status, text) in [(AlertStatus.unspecified, nil), (.pending, "pending"), (.legitimate, "legitimate")] {
            for minAge in [UInt64(0), 5_000] {
                let list = try await fx.alerts.listReviews(
                    ListReviewsRequest(minRisk: .medium, minAgeSeconds: minAge, status: status, limit: 5))
                let truth = try await fx.count(
                    """
                    SELECT count(*) AS n FROM alerts WHERE ($1::text IS NULL OR status = $1)
                      AND created_at <= now() - make_interval(secs => $2::bigint)
                    """, [text.map { PostgresValue($0) }, PostgresValue(Int64(minAge))])
                #expect(list.total == UInt64(truth), "listReviews \(text ?? "any") ≥ \(minAge) s (\(label))")
            }
        }

        // Reviews/Stats: decided, backlog, breaches, late decisions, time-to-decision percentiles (0 when none
        // decided, where `percentile_cont` is NULL).
        let review = try await fx.reviews.stats(ReviewStatsRequest())
        let truth = try #require(
            try await fx.database.query(
                """
                SELECT count(*) FILTER (WHERE status = 'confirmed_fraud') AS fraud,
                    count(*) FILTER (WHERE status = 'legitimate') AS legitimate,
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY \(bucket)) AS median,
                    percentile_cont(0.9) WITHIN GROUP (ORDER BY \(bucket)) AS p90,
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - created_at)) AS exact,
                    count(*) FILTER (WHERE decided_at > created_at + \(ReviewQueue.slaInterval(from: 1)))
                        AS late
                FROM alerts a WHERE status <> 'pending' AND decided_at IS NOT NULL
                """, sla
            ).first)
        #expect(review.decidedFraud == UInt64(try truth.int64("fraud") ?? -1), "decided fraud (\(label))")
        #expect(review.decidedLegitimate == UInt64(try truth.int64("legitimate") ?? -1), "decided legitimate (\(label))")
        #expect(review.decidedAfterSLA == UInt64(try truth.int64("late") ?? -1), "decided late (\(label))")
        #expect(abs(review.medianSecondsToDecision - (try truth.double("median") ?? 0)) < 0.001, "median (\(label))")
        #expect(abs(review.p90SecondsToDecision - (try truth.double("p90") ?? 0)) < 0.001, "p90 (\(label))")
        #expect(abs(review.medianSecondsToDecision - (try truth.double("exact") ?? 0)) <= 60, "median ≈ exact")
        let pending = try await fx.database.query(
            """
            SELECT risk_level, count(*) AS n,
                count(*) FILTER (WHERE created_at < now() - \(ReviewQueue.slaInterval(from: 1))) AS breached
            FROM alerts a WHERE status = 'pending' GROUP BY risk_level
            """, sla)
        var backlog: [RiskLevel: UInt64] = [:]
        var breached: [RiskLevel: UInt64] = [:]
        for row in pending {
            let risk = try #require(RiskLevel(rawValue: try row.string("risk_level") ?? ""))
            backlog[risk] = UInt64(try row.int64("n") ?? 0)
            breached[risk] = UInt64(try row.int64("breached") ?? 0)
        }
        for count in review.backlogByRisk {
            #expect(count.count == backlog[count.riskLevel] ?? 0, "backlog \(count.riskLevel) (\(label))")
        }
        for count in review.slaBreachedByRisk {
            #expect(count.count == breached[count.riskLevel] ?? 0, "breached \(count.riskLevel) (\(label))")
        }
    }

    static func items(_ prefix: String, count: Int) -> [ScoredTransaction] {
        (0..<count).map { i in
            Base.scored("\(prefix)-\(i)", [RiskLevel.low, .medium, .high, .critical][i % 4], userID: "u\(i % 7)")
        }
    }

    static func decide(
        _ fx: AlertsFixture, _ id: String, _ decision: Decision, by analyst: String, override: Bool = false
    ) -> ReviewDecideRequest {
        ReviewDecideRequest(alertID: id, decision: decision, note: "n", analyst: analyst, override: override)
    }

    @Test func countersEqualCountStarAfterAConcurrentMixedWorkload() async throws {
        try await Base.withAlerts { fx in
            // Inserts from several concurrent callers (several backends, so several shards).
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in 0..<4 {
                    group.addTask { _ = try await fx.alerts.record(RecordRequest(items: Self.items("b\(batch)", count: 40))) }
                }
                try await group.waitForAll()
            }
            await fx.service.batcher.flush()
            // Creation times spread over ~12 hours (an UPDATE of created_at moves the counts between hours).
            try await fx.database.execute(
                "UPDATE alerts SET created_at = now() - (alert_id % 43) * interval '17 minutes' - interval '7 seconds'")
            try await Self.expectCountersMatch(fx, "after inserts")

            // Analysts claim and decide concurrently while more alerts arrive.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for analyst in ["ana", "bo", "cy", "dee"] {
                    group.addTask {
                        for round in 0..<8 {
                            guard let item = try await fx.reviews.claimNext(ClaimRequest(analyst: analyst)).item else {
                                return
                            }
                            let decision: Decision = round % 3 == 0 ? .legitimate : .fraud
                            _ = try await fx.reviews.decide(Self.decide(fx, item.alert.alertID, decision, by: analyst))
                        }
                    }
                }
                group.addTask {
                    for batch in 4..<7 {
                        _ = try await fx.alerts.record(RecordRequest(items: Self.items("b\(batch)", count: 20)))
                    }
                }
                group.addTask {
                    // Claims only: the counters must not move.
                    let queue = try await fx.reviews.queue(ReviewQueueRequest(limit: 30, offset: 60))
                    for item in queue.items {
                        _ = try? await fx.reviews.claim(ClaimRequest(alertID: item.alert.alertID, analyst: "eve"))
                    }
                }
                try await group.waitForAll()
            }
            await fx.service.batcher.flush()
            try await Self.expectCountersMatch(fx, "after claims and decisions")

            // Bulk decisions and overrides (status and decision time move).
            let pending = try await fx.reviews.queue(ReviewQueueRequest(limit: 12))
            let bulk = DecideManyRequest(
                items: pending.items.map { Self.decide(fx, $0.alert.alertID, .legitimate, by: "fay") })
            let results = try await fx.reviews.decideMany(bulk)
            #expect(results.results.count == pending.items.count)
            let decided = try await fx.database.query(
                "SELECT alert_id::text AS id, status FROM alerts WHERE status <> 'pending' ORDER BY alert_id LIMIT 9")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for row in decided {
                    let id = try row.string("id") ?? ""
                    let flipped: Decision = try row.string("status") == "legitimate" ? .fraud : .legitimate
                    group.addTask {
                        _ = try await fx.reviews.decide(Self.decide(fx, id, flipped, by: "gus", override: true))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await fx.count("SELECT count(*) AS n FROM decision_overrides") == decided.count)
            try await Self.expectCountersMatch(fx, "after bulk decisions and overrides")

            // Folding moves every past hour's shards into shard 0 and changes no figure.
            #expect(try await AlertCounts.fold(database: fx.database) > 0)
            #expect(
                try await fx.count(
                    """
                    SELECT count(*) AS n FROM alert_counts WHERE shard <> 0 AND hour < date_trunc('hour', now(), 'UTC')
                    """) == 0)
            #expect(try await fx.count("SELECT count(*) AS n FROM alert_decision_times WHERE shard <> 0") == 0)
            #expect(try await fx.count("SELECT count(*) AS n FROM alert_totals WHERE shard <> 0") == 0)
            #expect(try await fx.count("SELECT count(*) AS n FROM prediction_totals WHERE shard <> 0") == 0)
            try await Self.expectCountersMatch(fx, "after folding")
            // Deleting alerts (not done by txad, but possible by hand) is counted too.
            try await fx.database.execute("DELETE FROM decision_overrides")
            try await fx.database.execute("DELETE FROM notification_deliveries")
            try await fx.database.execute("DELETE FROM alerts WHERE alert_id % 5 = 0")
            try await Self.expectCountersMatch(fx, "after deletes (alerts)")
        }
    }

    @Test func migrationBackfillsAnExistingDatabase() async throws {
        try await Base.withAlerts(migrate: false) { fx in
            let logger = Logger(label: "test.counts")
            let before = AlertSchema.migrations.filter { $0.version < AlertCounts.migration.version }
            try await PostgresMigrator(client: fx.database, migrations: before, logger: logger).migrate()
            try await AlertRecorder(database: fx.database).record(Self.items("old", count: 80))
            try await fx.database.execute(
                "UPDATE alerts SET created_at = now() - (alert_id % 29) * interval '23 minutes' - interval '5 seconds'")
            try await fx.database.execute(
                """
                UPDATE alerts SET status = CASE WHEN alert_id % 2 = 0 THEN 'confirmed_fraud' ELSE 'legitimate' END,
                    decided_by = 'ana', decided_at = now() - (alert_id % 7) * interval '1 minute'
                WHERE alert_id % 3 = 0
                """)
            #expect(try await fx.count("SELECT count(*) AS n FROM pg_class WHERE relname = 'alert_counts'") == 0)

            await fx.tick()
            #expect(fx.service.isSchemaReady)
            #expect(try await fx.count("SELECT count(*) AS n FROM alert_counts WHERE shard <> 0") == 0)
            try await Self.expectCountersMatch(fx, "back-filled")
            // And the triggers count from there on.
            _ = try await fx.alerts.record(RecordRequest(items: Self.items("new", count: 12)))
            await fx.service.batcher.flush()
            try await Self.expectCountersMatch(fx, "back-filled, then recorded")
        }
    }
}
