import Domain
import EmbeddedStores
import Foundation
import Logging
import Stores
import Testing
import Wire

@testable import AlertsService

/// One test's world: its own PostgreSQL, spool directory, alerts service, server and client.
struct AlertsFixture {
    let postgres: EmbeddedPostgres
    let database: PostgresClient
    let spool: DurableSpool
    let service: AlertsService
    let maintainer: DatabaseMaintainer
    let alerts: AlertsClient
    let reviews: ReviewsClient

    /// Runs migrations (and replays the spool) once, as the background maintainer does.
    func tick() async { await maintainer.tick() }

    /// Ticks until the spool is empty, at most `rounds` times (the pool may need a round to reconnect).
    func drainSpool(rounds: Int = 20) async {
        for _ in 0..<rounds where service.spooledRecords > 0 {
            await tick()
        }
    }

    func count(_ sql: String, _ parameters: [PostgresValue?] = []) async throws -> Int {
        let rows = try await database.query(sql, parameters)
        return Int(try rows.first?.int64("n") ?? -1)
    }
}

/// The alerts service over real frames, a real PostgreSQL and a real spool.
@Suite(.timeLimit(.minutes(5)))
struct AlertsServiceTests {
    static let logger = Logger(label: "test.alerts")

    /// Starts PostgreSQL, a spool in a temp dir and an alerts server; migrates unless `migrate` is false; tears
    /// everything down afterwards, also when `body` throws.
    ///
    /// `durable` keeps the cluster in the test's temp dir with durable settings: a throwaway cluster runs with
    /// `synchronous_commit` off, so a crash (`kill()`) may lose recent commits — fine for most tests, not for one
    /// that checks what survives a crash.
    static func withAlerts(
        migrate: Bool = true, durable: Bool = false, policy: ReviewPolicy = ReviewPolicy(),
        _ body: (AlertsFixture) async throws -> Void
    ) async throws {
        let directory = NSTemporaryDirectory() + "txad-alerts-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let postgres = try await EmbeddedPostgres.start(.init(dataDirectory: durable ? directory + "/pgdata" : nil))
        let database: PostgresClient
        do {
            database = try PostgresClient(url: postgres.url)
        } catch {
            try await postgres.stop()
            throw error
        }
        var failure: (any Error)?
        do {
            let spool = try DurableSpool(path: directory + "/alerts.spool")
            let service = AlertsService(database: database, spool: spool, reviewPolicy: policy, logger: logger)
            let maintainer = DatabaseMaintainer(
                service: service, database: database, interval: .seconds(1), logger: logger)
            if migrate {
                await maintainer.tick()
                #expect(service.isSchemaReady)
            }
            let server = RPCServer(
                configuration: .init(host: "127.0.0.1", port: 0), services: [service, service.reviews], logger: logger)
            let address = try await server.listen()
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                let rpc = RPCClient(
                    configuration: .init(
                        targets: [.init(host: "127.0.0.1", port: address.port ?? 0)],
                        defaultDeadline: .seconds(60)))
                let fixture = AlertsFixture(
                    postgres: postgres, database: database, spool: spool, service: service, maintainer: maintainer,
                    alerts: AlertsClient(wrapping: rpc), reviews: ReviewsClient(wrapping: rpc))
                do {
                    try await body(fixture)
                } catch {
                    failure = error
                }
                await rpc.close()
                group.cancelAll()
            }
        } catch {
            failure = failure ?? error
        }
        await database.shutdown()
        try await postgres.stop()
        if let failure { throw failure }
    }

    /// A scored transaction built by hand; anomalies are the ones at risk ≥ medium.
    static func scored(
        _ id: String, _ risk: RiskLevel, reasons: [Reason] = [], scoredAtMillis: Int64 = 1_714_000_100_000,
        userID: String? = nil, timestampMillis: Int64 = 1_714_000_000_000
    ) -> ScoredTransaction {
        let transaction = Transaction(
            transactionID: id, userID: userID ?? "user-\(id.count % 3)", timestampMillis: timestampMillis, amount: 42.5,
            currency: "EUR", merchantID: "m-1", merchantCategory: "grocery", channel: .online, latitude: 48.85,
            longitude: 2.35, country: "FR")
        let ensemble: Double =
            switch risk {
            case .low: 0.1
            case .medium: 0.8
            case .high: 0.9
            case .critical: 0.99
            }
        let score = Score(
            transactionID: id, isolationForest: ensemble - 0.05, autoencoder: ensemble + 0.005, ensemble: ensemble,
            isAnomaly: risk >= .medium, riskLevel: risk, reasons: reasons, modelVersion: "v-test")
        return ScoredTransaction(
            transaction: transaction, score: score, degraded: false, requestID: "req-\(id)",
            scoredAtMillis: scoredAtMillis)
    }

    static let amountReason = Reason(
        code: "AMOUNT_HIGH", feature: "amount_zscore", value: 6.25, text: "Amount is \"6.3×\" the user's usual")
    static let countryReason = Reason(
        code: "NEW_COUNTRY", feature: "is_new_country", value: 1, text: "First transaction from FR")

    /// 3 low, 2 medium, 1 high, 1 critical.
    private static func mixedBatch(prefix: String) -> [ScoredTransaction] {
        [
            scored("\(prefix)-l1", .low), scored("\(prefix)-l2", .low), scored("\(prefix)-l3", .low),
            scored("\(prefix)-m1", .medium, reasons: [amountReason]),
            scored("\(prefix)-m2", .medium, reasons: [countryReason]),
            scored("\(prefix)-h1", .high, reasons: [amountReason, countryReason]),
            scored("\(prefix)-c1", .critical, reasons: [countryReason, amountReason]),
        ]
    }

    static func expectFailure(
        _ code: RPCStatusCode, sourceLocation: SourceLocation = #_sourceLocation, _ call: () async throws -> Void
    ) async -> String {
        do {
            try await call()
            Issue.record("expected \(code), the call succeeded", sourceLocation: sourceLocation)
        } catch let error as RPCError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            return error.message
        } catch {
            Issue.record("expected an RPCError \(code), got \(error)", sourceLocation: sourceLocation)
        }
        return ""
    }

    @Test func recordWritesPredictionsAndAlertsOnceWithReasons() async throws {
        try await Self.withAlerts { fx in
            let items = Self.mixedBatch(prefix: "rec")
            let response = try await fx.alerts.record(RecordRequest(items: items))
            #expect(response.recorded == 7)
            #expect(response.alerts == 4)
            #expect(!response.spooled)
            // Alerts are committed before the answer; the low ones may still sit in the batcher.
            #expect(try await fx.count("SELECT count(*) AS n FROM alerts") == 4)
            await fx.service.batcher.flush()
            #expect(try await fx.count("SELECT count(*) AS n FROM predictions") == 7)

            let rows = try await fx.database.query(
                """
                SELECT transaction_id, risk_level, ensemble, reasons::text AS reasons, model_version, status
                FROM alerts
                """)
            let byID = Dictionary(uniqueKeysWithValues: try rows.map { (try $0.string("transaction_id") ?? "", $0) })
            #expect(Set(byID.keys) == ["rec-m1", "rec-m2", "rec-h1", "rec-c1"])
            for item in items where item.score.riskLevel >= .medium {
                let row = try #require(byID[item.transaction.transactionID])
                #expect(try row.string("risk_level") == item.score.riskLevel.rawValue)
                #expect(try row.double("ensemble") == item.score.ensemble)
                #expect(try row.string("model_version") == "v-test")
                #expect(try row.string("status") == "pending")
                let json = Data((try row.string("reasons") ?? "").utf8)
                let reasons = try JSONDecoder().decode([Reason].self, from: json)
                #expect(reasons == item.score.reasons)
            }
            let prediction = try #require(
                try await fx.database.query(
                    """
                    SELECT user_id, amount, currency, channel, country, risk_level, is_anomaly, request_id,
                        (extract(epoch FROM scored_at) * 1000)::bigint AS scored_ms FROM predictions
                    WHERE transaction_id = 'rec-l2'
                    """
                ).first)
            #expect(try prediction.string("currency") == "EUR")
            #expect(try prediction.string("channel") == "online")
            #expect(try prediction.string("risk_level") == "low")
            #expect(try prediction.bool("is_anomaly") == false)
            #expect(try prediction.string("request_id") == "req-rec-l2")
            #expect(try prediction.int64("scored_ms") == 1_714_000_100_000)

            // The same items again (a retry or a replay) add nothing.
            let again = try await fx.alerts.record(RecordRequest(items: items))
            #expect(again.recorded == 7)
            await fx.service.batcher.flush()
            #expect(try await fx.count("SELECT count(*) AS n FROM predictions") == 7)
            #expect(try await fx.count("SELECT count(*) AS n FROM alerts") == 4)
        }
    }

    /// One call is one statement per table, so a transaction id repeated within it meets the row the same statement
    /// just inserted: `ON CONFLICT DO NOTHING` skips it instead of failing the whole call.
    @Test func repeatedTransactionIDsWithinOneCallAreRecordedOnce() async throws {
        try await Self.withAlerts { fx in
            let first = Self.scored("dup-c1", .critical, reasons: [Self.amountReason])
            var repeated = first
            repeated.score.reasons = [Self.countryReason]
            try await AlertRecorder(database: fx.database).record([
                Self.scored("dup-l1", .low), first, Self.scored("dup-l1", .low), Self.scored("dup-m1", .medium),
                repeated, Self.scored("dup-m1", .medium), first,
            ])
            #expect(try await fx.count("SELECT count(*) AS n FROM predictions") == 3)
            #expect(try await fx.count("SELECT count(*) AS n FROM alerts") == 2)
            // The first occurrence is the one kept.
            let reasons = try await fx.database.query(
                "SELECT reasons::text AS reasons FROM alerts WHERE transaction_id = 'dup-c1'")
            let json = Data((try reasons.first?.string("reasons") ?? "").utf8)
            #expect(try JSONDecoder().decode([Reason].self, from: json) == [Self.amountReason])

            // Through the service: repeated alerts (recorded at once) and repeated predictions (batched).
            let response = try await fx.alerts.record(
                RecordRequest(items: [
                    Self.scored("dup-h1", .high), Self.scored("dup-l2", .low), Self.scored("dup-h1", .high),
                    Self.scored("dup-l2", .low),
                ]))
            #expect(!response.spooled)
            await fx.service.batcher.flush()
            #expect(fx.service.spooledRecords == 0)
            #expect(try await fx.count("SELECT count(*) AS n FROM predictions") == 5)
            #expect(try await fx.count("SELECT count(*) AS n FROM alerts") == 3)
        }
    }

    @Test func statsCountByRiskAndIncludeBatchedPredictions() async throws {
        try await Self.withAlerts { fx in
            _ = try await fx.alerts.record(RecordRequest(items: Self.mixedBatch(prefix: "st")))
            _ = try await fx.alerts.record(RecordRequest(items: [Self.scored("st-l4", .low)]))
            // No explicit flush: Stats must flush the batcher itself.
            let stats = try await fx.alerts.stats()
            #expect(stats.predictions == 8)
            #expect(stats.anomalies == 4)
            #expect(stats.anomalyRate == 0.5)
            let byRisk = Dictionary(uniqueKeysWithValues: stats.predictionsByRisk.map { ($0.riskLevel, $0.count) })
            #expect(byRisk == [.low: 4, .medium: 2, .high: 1, .critical: 1])
            #expect(stats.alerts == 4)
            #expect(stats.alertsByRisk == [
                RiskCount(riskLevel: .medium, count: 2), RiskCount(riskLevel: .high, count: 1),
                RiskCount(riskLevel: .critical, count: 1),
            ])
            #expect(stats.reviewBacklog == 4)
            #expect(stats.reviewedFraud == 0)
            #expect(stats.spooled == 0)

            let pending = try await fx.alerts.listReviews(ListReviewsRequest(minRisk: .high)).alerts
            #expect(pending.count == 2)
            _ = try await fx.alerts.decide(
                DecideRequest(alertID: pending[0].alertID, decision: ReviewDecision(decision: .fraud, analyst: "ana")))
            _ = try await fx.alerts.decide(
                DecideRequest(
                    alertID: pending[1].alertID, decision: ReviewDecision(decision: .legitimate, analyst: "ana")))
            let after = try await fx.alerts.stats()
            #expect(after.reviewBacklog == 2)
            #expect(after.reviewedFraud == 1)
            #expect(after.reviewedLegitimate == 1)
            #expect(after.alertPrecision == 0.5)

            // A window starting after everything was scored counts nothing.
            let later = try await fx.alerts.stats(StatsRequest(sinceMillis: 1_714_000_200_000))
            #expect(later.predictions == 0)
            #expect(later.anomalyRate == 0)
        }
    }

    @Test func postgresDownSpoolsAndReplaysEachAlertOnce() async throws {
        try await Self.withAlerts(durable: true) { fx in
            _ = try await fx.alerts.record(RecordRequest(items: Self.mixedBatch(prefix: "before")))
            try await fx.postgres.kill()
            #expect(!fx.postgres.isRunning)

            let down = Self.mixedBatch(prefix: "down")
            let first = try await fx.alerts.record(RecordRequest(items: Array(down[0..<5])))
            #expect(first.spooled)
            #expect(first.alerts == 2)
            let second = try await fx.alerts.record(RecordRequest(items: Array(down[5...])))
            #expect(second.spooled)
            // Low-risk predictions wait in the batcher; a flush with the database down spools them too.
            await fx.service.batcher.flush()
            #expect(fx.service.spooledRecords >= 3)
            // The same alerts again while down (a client retry): spooled twice, recorded once.
            #expect(try await fx.alerts.record(RecordRequest(items: [down[6]])).spooled)
            _ = await Self.expectFailure(.unavailable) { _ = try await fx.alerts.stats() }

            try await fx.postgres.restart()
            await fx.drainSpool()
            #expect(fx.service.spooledRecords == 0)
            #expect(fx.spool.recordCount == 0)
            for item in down {
                let id = PostgresValue(item.transaction.transactionID)
                #expect(
                    try await fx.count("SELECT count(*) AS n FROM predictions WHERE transaction_id = $1", [id]) == 1,
                    "prediction \(item.transaction.transactionID)")
                let alerts = try await fx.count("SELECT count(*) AS n FROM alerts WHERE transaction_id = $1", [id])
                #expect(alerts == (item.score.riskLevel >= .medium ? 1 : 0), "alert \(item.transaction.transactionID)")
            }
            let stats = try await fx.alerts.stats()
            #expect(stats.predictions == 14)
            #expect(stats.alerts == 8)
            #expect(stats.spooled == 0)
        }
    }

    @Test func recordBeforeMigrationSpoolsUntilTheSchemaIsReady() async throws {
        try await Self.withAlerts(migrate: false) { fx in
            #expect(!fx.service.isSchemaReady)
            let response = try await fx.alerts.record(RecordRequest(items: [Self.scored("early-c1", .critical)]))
            #expect(response.spooled)
            await fx.tick()
            #expect(fx.service.isSchemaReady)
            await fx.drainSpool()
            #expect(fx.service.spooledRecords == 0)
            #expect(try await fx.count("SELECT count(*) AS n FROM alerts WHERE transaction_id = 'early-c1'") == 1)
        }
    }

    @Test func listReviewsFiltersByRiskAndStatus() async throws {
        try await Self.withAlerts { fx in
            let items = Self.mixedBatch(prefix: "lr")
            _ = try await fx.alerts.record(RecordRequest(items: items))
            let all = try await fx.alerts.listReviews(ListReviewsRequest())
            #expect(all.total == 4)
            #expect(all.alerts.map(\.scored.transaction.transactionID).sorted() == ["lr-c1", "lr-h1", "lr-m1", "lr-m2"])
            let critical = try #require(all.alerts.first { $0.scored.transaction.transactionID == "lr-c1" })
            #expect(critical.scored.score.reasons == [Self.countryReason, Self.amountReason])
            #expect(critical.scored.score.riskLevel == .critical)
            #expect(critical.scored.transaction == items[6].transaction)
            #expect(critical.status == .pending)
            #expect(critical.decision == nil)

            let high = try await fx.alerts.listReviews(ListReviewsRequest(minRisk: .high))
            #expect(high.total == 2)
            #expect(Set(high.alerts.map(\.scored.score.riskLevel)) == [.high, .critical])
            let onlyCritical = try await fx.alerts.listReviews(ListReviewsRequest(minRisk: .critical))
            #expect(onlyCritical.alerts.map(\.scored.transaction.transactionID) == ["lr-c1"])

            _ = try await fx.alerts.decide(
                DecideRequest(alertID: critical.alertID, decision: ReviewDecision(decision: .fraud, analyst: "bo")))
            let pending = try await fx.alerts.listReviews(ListReviewsRequest(status: .pending))
            #expect(pending.total == 3)
            #expect(!pending.alerts.contains { $0.alertID == critical.alertID })
            let fraud = try await fx.alerts.listReviews(ListReviewsRequest(status: .confirmedFraud))
            #expect(fraud.alerts.map(\.alertID) == [critical.alertID])
            let pendingHigh = try await fx.alerts.listReviews(ListReviewsRequest(minRisk: .high, status: .pending))
            #expect(pendingHigh.alerts.map(\.scored.transaction.transactionID) == ["lr-h1"])

            // Paging: total counts every match, the page holds `limit`.
            let page = try await fx.alerts.listReviews(ListReviewsRequest(limit: 2, offset: 1))
            #expect(page.total == 4)
            #expect(page.alerts.map(\.alertID) == all.alerts[1...2].map(\.alertID))
            // Alerts younger than an hour are left out when asked for older ones.
            #expect(try await fx.alerts.listReviews(ListReviewsRequest(minAgeSeconds: 3600)).total == 0)
        }
    }

    @Test func decideRecordsTheDecisionAndRefusesBadRequests() async throws {
        try await Self.withAlerts { fx in
            let item = Self.scored("dc-c1", .critical, reasons: [Self.amountReason])
            _ = try await fx.alerts.record(RecordRequest(items: [item]))
            let alert = try #require(try await fx.alerts.listReviews(ListReviewsRequest()).alerts.first)
            let decided = try await fx.alerts.decide(
                DecideRequest(
                    alertID: alert.alertID,
                    decision: ReviewDecision(
                        decision: .legitimate, note: "customer confirmed by phone", analyst: "cy")))
            #expect(decided.alert.alertID == alert.alertID)
            #expect(decided.alert.status == .legitimate)
            let decision = try #require(decided.alert.decision)
            #expect(decision.decision == .legitimate)
            #expect(decision.analyst == "cy")
            #expect(decision.note == "customer confirmed by phone")
            #expect(decision.decidedAtMillis > 0)
            let row = try #require(
                try await fx.database.query(
                    "SELECT status, decided_by, decision_note, decided_at IS NOT NULL AS decided FROM alerts").first)
            #expect(try row.string("status") == "legitimate")
            #expect(try row.string("decided_by") == "cy")
            #expect(try row.string("decision_note") == "customer confirmed by phone")
            #expect(try row.bool("decided") == true)

            let unknown = await Self.expectFailure(.notFound) {
                _ = try await fx.alerts.decide(
                    DecideRequest(alertID: "987654", decision: ReviewDecision(decision: .fraud, analyst: "cy")))
            }
            #expect(unknown.contains("987654"))
            let noAnalyst = await Self.expectFailure(.invalidArgument) {
                _ = try await fx.alerts.decide(
                    DecideRequest(alertID: alert.alertID, decision: ReviewDecision(decision: .fraud, analyst: "")))
            }
            #expect(noAnalyst.contains("analyst"))
            _ = await Self.expectFailure(.invalidArgument) {
                _ = try await fx.alerts.decide(
                    DecideRequest(alertID: "not-a-number", decision: ReviewDecision(decision: .fraud, analyst: "cy")))
            }
            _ = await Self.expectFailure(.invalidArgument) {
                _ = try await fx.alerts.decide(
                    DecideRequest(
                        alertID: alert.alertID, decision: ReviewDecision(decision: .unspecified, analyst: "cy")))
            }
            // The refused requests changed nothing.
            let after = try await fx.alerts.listReviews(ListReviewsRequest()).alerts
            #expect(after.map(\.status) == [.legitimate])
            #expect(after.first?.decision?.analyst == "cy")
        }
    }

    @Test func concurrentMigrationsApplyOnce() async throws {
        try await Self.withAlerts(migrate: false) { fx in
            let other = try PostgresClient(url: fx.postgres.url)
            let directory = NSTemporaryDirectory() + "txad-alerts-test-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let otherService = AlertsService(
                database: other, spool: try DurableSpool(path: directory + "/alerts.spool"), logger: Self.logger)
            let otherMaintainer = DatabaseMaintainer(
                service: otherService, database: other, interval: .seconds(1), logger: Self.logger)
            // The second client is shut down whatever the checks do.
            var failure: (any Error)?
            do {
                async let first: Void = fx.tick()
                async let second: Void = otherMaintainer.tick()
                _ = await (first, second)
                #expect(fx.service.isSchemaReady)
                #expect(otherService.isSchemaReady)
                let applied = try await fx.database.query(
                    "SELECT version, count(*) AS n FROM schema_migrations GROUP BY version")
                #expect(applied.count == AlertSchema.migrations.count)
                #expect(try applied.allSatisfy { try $0.int64("n") == 1 })
                #expect(
                    try await fx.count(
                        """
                        SELECT count(*) AS n FROM information_schema.tables
                        WHERE table_name IN ('predictions', 'alerts')
                        """)
                        == 2)
                // The migrated schema takes writes at once.
                let recorded = try await fx.alerts.record(RecordRequest(items: [Self.scored("mig-c1", .critical)]))
                #expect(!recorded.spooled)
            } catch {
                failure = error
            }
            await other.shutdown()
            if let failure { throw failure }
        }
    }
}
