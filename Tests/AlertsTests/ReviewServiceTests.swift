import Domain
import Foundation
import ServiceLifecycle
import Stores
import Testing
import Wire

@testable import AlertsService

/// `txad.v1.Reviews` over real frames and a real PostgreSQL: browsing, queue, claims, decisions, statistics.
@Suite(.timeLimit(.minutes(5)))
struct ReviewServiceTests {
    private typealias Base = AlertsServiceTests

    /// Records `items` and returns their alert ids by transaction id.
    private static func record(_ fx: AlertsFixture, _ items: [ScoredTransaction]) async throws -> [String: String] {
        _ = try await fx.alerts.record(RecordRequest(items: items))
        await fx.service.batcher.flush()
        let rows = try await fx.database.query("SELECT alert_id::text AS id, transaction_id FROM alerts")
        return Dictionary(
            uniqueKeysWithValues: try rows.map { (try $0.string("transaction_id") ?? "", try $0.string("id") ?? "") })
    }

    /// Moves an alert's creation time `minutes` into the past.
    private static func age(_ fx: AlertsFixture, _ alertID: String, minutes: Int) async throws {
        try await fx.database.execute(
            "UPDATE alerts SET created_at = now() - make_interval(mins => $2::int) WHERE alert_id = $1::bigint",
            [PostgresValue(alertID), PostgresValue(minutes)])
    }

    private static func decide(
        _ fx: AlertsFixture, _ id: String, _ decision: Decision, by analyst: String = "ana", note: String = "",
        key: String = "", override: Bool = false
    ) async throws -> ReviewDecideResponse {
        try await fx.reviews.decide(
            ReviewDecideRequest(
                alertID: id, decision: decision, note: note, analyst: analyst, idempotencyKey: key, override: override))
    }

    @Test func listAlertsFiltersAndPagesNewestFirstWithACursor() async throws {
        try await Base.withAlerts { fx in
            var items: [ScoredTransaction] = []
            for i in 0..<9 {
                let risk: RiskLevel = [.medium, .high, .critical][i % 3]
                items.append(Base.scored("la-\(i)", risk, userID: i < 3 ? "alice" : "bob"))
            }
            items.append(Base.scored("la-low", .low, userID: "alice"))
            let ids = try await Self.record(fx, items)
            #expect(ids.count == 9)
            // Distinct creation times: la-0 oldest … la-8 newest; la-3 and la-4 share one to exercise the tie-break.
            for i in 0..<9 {
                try await Self.age(fx, ids["la-\(i)"]!, minutes: i == 4 ? 100 - 3 : 100 - i)
            }
            let newestFirst = try await fx.database.query(
                "SELECT alert_id::text AS id FROM alerts ORDER BY created_at DESC, alert_id DESC"
            ).map { try $0.string("id") ?? "" }

            // Pages of 2 cover every alert once, in order, and the last page has no cursor.
            var seen: [String] = []
            var cursor = ""
            var pages = 0
            repeat {
                let page = try await fx.reviews.listAlerts(ListAlertsRequest(cursor: cursor, limit: 2))
                #expect(page.items.count <= 2)
                seen += page.items.map(\.alert.alertID)
                cursor = page.nextCursor
                pages += 1
            } while !cursor.isEmpty && pages < 20
            #expect(seen == newestFirst)
            #expect(pages == 5)

            let alice = try await fx.reviews.listAlerts(ListAlertsRequest(userID: "alice"))
            #expect(Set(alice.items.map(\.alert.scored.transaction.transactionID)) == ["la-0", "la-1", "la-2"])
            #expect(alice.nextCursor.isEmpty)
            let critical = try await fx.reviews.listAlerts(ListAlertsRequest(riskLevel: .critical))
            #expect(critical.items.map(\.alert.scored.transaction.transactionID) == ["la-8", "la-5", "la-2"])

            _ = try await Self.decide(fx, ids["la-5"]!, .fraud)
            let fraud = try await fx.reviews.listAlerts(ListAlertsRequest(status: .confirmedFraud))
            #expect(fraud.items.map(\.alert.alertID) == [ids["la-5"]!])
            let pendingCritical = try await fx.reviews.listAlerts(
                ListAlertsRequest(status: .pending, riskLevel: .critical))
            #expect(pendingCritical.items.map(\.alert.scored.transaction.transactionID) == ["la-8", "la-2"])

            // since inclusive, until exclusive, on the creation time.
            let created = try await fx.database.query(
                "SELECT transaction_id, (extract(epoch FROM created_at) * 1000)::bigint AS ms FROM alerts")
            let ms = Dictionary(
                uniqueKeysWithValues: try created.map {
                    (try $0.string("transaction_id") ?? "", try $0.int64("ms") ?? 0)
                })
            let window = try await fx.reviews.listAlerts(
                ListAlertsRequest(sinceMillis: ms["la-6"]! - 1, untilMillis: ms["la-8"]! - 1))
            #expect(window.items.map(\.alert.scored.transaction.transactionID) == ["la-7", "la-6"])

            _ = await Base.expectFailure(.invalidArgument) {
                _ = try await fx.reviews.listAlerts(ListAlertsRequest(cursor: "bm90LWEtY3Vyc29y"))
            }
            _ = await Base.expectFailure(.invalidArgument) {
                _ = try await fx.reviews.listAlerts(ListAlertsRequest(limit: 201))
            }
            let empty = try await fx.reviews.listAlerts(ListAlertsRequest(sinceMillis: 2000, untilMillis: 1000))
            #expect(empty.items.isEmpty && empty.nextCursor.isEmpty)
        }
    }

    @Test func getAlertHasThePredictionRecentTransactionsDeliveriesAndOverrides() async throws {
        try await Base.withAlerts { fx in
            var items = (0..<5).map { i in
                Base.scored("ga-l\(i)", .low, userID: "carol", timestampMillis: 1_714_000_000_000 + Int64(i) * 60_000)
            }
            items.append(
                Base.scored(
                    "ga-c1", .critical, reasons: [Base.amountReason], userID: "carol",
                    timestampMillis: 1_714_000_900_000))
            items.append(Base.scored("ga-other", .low, userID: "dave"))
            let ids = try await Self.record(fx, items)
            let id = try #require(ids["ga-c1"])
            try await fx.database.execute(
                """
                INSERT INTO notification_deliveries
                    (delivery_id, alert_id, channel, channel_type, event_type, state, attempts, last_status, last_error,
                     created_at, delivered_at)
                VALUES (gen_random_uuid(), $1::bigint, 'oncall', 'pagerduty', 'trigger', 'delivered', 1, 202, NULL,
                        now() - interval '2 minutes', now() - interval '1 minute'),
                       (gen_random_uuid(), $1::bigint, 'fraud-team', 'slack', 'trigger', 'dead', 8, 400,
                        'invalid_payload', now(), NULL)
                """, [PostgresValue(id)])
            _ = try await Self.decide(fx, id, .fraud, by: "ana", note: "card reported stolen")
            _ = try await Self.decide(fx, id, .legitimate, by: "bo", note: "customer confirmed", override: true)

            let detail = try await fx.reviews.getAlert(GetAlertRequest(alertID: id, recentLimit: 4))
            #expect(detail.item.alert.scored.transaction.transactionID == "ga-c1")
            #expect(detail.item.alert.scored.score.reasons == [Base.amountReason])
            #expect(detail.item.alert.status == .legitimate)
            #expect(detail.item.alert.decision?.analyst == "bo")
            #expect(
                detail.recentTransactions.map(\.transaction.transactionID) == ["ga-c1", "ga-l4", "ga-l3", "ga-l2"])
            #expect(detail.recentTransactions.allSatisfy { $0.transaction.userID == "carol" })
            #expect(detail.recentTransactions[0].score.reasons == [Base.amountReason])
            // Deciding it legitimate enqueued a PagerDuty resolve for the incident `oncall` opened (same dedup_key).
            #expect(detail.deliveries.map(\.channel) == ["oncall", "fraud-team", "oncall"])
            #expect(detail.deliveries.last?.state == "pending")
            let delivered = detail.deliveries[0]
            #expect(delivered.channelType == "pagerduty")
            #expect(delivered.state == "delivered")
            #expect(delivered.lastStatus == 202)
            #expect(delivered.deliveredAtMillis > delivered.createdAtMillis)
            let dead = detail.deliveries[1]
            #expect(dead.state == "dead")
            #expect(dead.attempts == 8)
            #expect(dead.lastError == "invalid_payload")
            #expect(dead.deliveredAtMillis == 0)
            #expect(detail.overrides.count == 1)
            let override = try #require(detail.overrides.first)
            #expect(override.analyst == "bo")
            #expect(override.fromDecision == .fraud)
            #expect(override.toDecision == .legitimate)
            #expect(override.note == "customer confirmed")

            _ = await Base.expectFailure(.notFound) {
                _ = try await fx.reviews.getAlert(GetAlertRequest(alertID: "424242"))
            }
            _ = await Base.expectFailure(.invalidArgument) {
                _ = try await fx.reviews.getAlert(GetAlertRequest(alertID: "x"))
            }
        }
    }

    @Test func queueIsHighestRiskFirstThenOldestWithAgeAndSLABreaches() async throws {
        let policy = ReviewPolicy(slaMinutes: [.critical: 15, .high: 60, .medium: 240])
        try await Base.withAlerts(policy: policy) { fx in
            let ids = try await Self.record(
                fx,
                [
                    Base.scored("q-m-old", .medium), Base.scored("q-h-new", .high), Base.scored("q-c-new", .critical),
                    Base.scored("q-h-old", .high), Base.scored("q-c-old", .critical), Base.scored("q-m-new", .medium),
                ])
            try await Self.age(fx, ids["q-c-old"]!, minutes: 20)  // past 15
            try await Self.age(fx, ids["q-c-new"]!, minutes: 5)
            try await Self.age(fx, ids["q-h-old"]!, minutes: 59)  // within 60
            try await Self.age(fx, ids["q-h-new"]!, minutes: 1)
            try await Self.age(fx, ids["q-m-old"]!, minutes: 300)  // past 240
            try await Self.age(fx, ids["q-m-new"]!, minutes: 2)

            let queue = try await fx.reviews.queue(ReviewQueueRequest())
            #expect(
                queue.items.map(\.alert.scored.transaction.transactionID) == [
                    "q-c-old", "q-c-new", "q-h-old", "q-h-new", "q-m-old", "q-m-new",
                ])
            #expect(queue.total == 6)
            #expect(queue.breached == 2)
            let breached = queue.items.filter(\.slaBreached).map(\.alert.scored.transaction.transactionID)
            #expect(breached == ["q-c-old", "q-m-old"])
            let first = queue.items[0]
            #expect(first.slaMinutes == 15)
            #expect(first.ageSeconds >= 20 * 60 && first.ageSeconds < 25 * 60)

            let high = try await fx.reviews.queue(ReviewQueueRequest(minRisk: .high, limit: 3, offset: 1))
            #expect(high.items.map(\.alert.scored.transaction.transactionID) == ["q-c-new", "q-h-old", "q-h-new"])
            #expect(high.total == 4)
            #expect(high.breached == 1)
            let old = try await fx.reviews.queue(ReviewQueueRequest(minAgeMinutes: 20))
            #expect(old.items.map(\.alert.scored.transaction.transactionID) == ["q-c-old", "q-h-old", "q-m-old"])
            #expect(old.total == 3)

            // Decided alerts leave the queue.
            _ = try await Self.decide(fx, ids["q-c-old"]!, .fraud)
            let after = try await fx.reviews.queue(ReviewQueueRequest())
            #expect(after.total == 5)
            #expect(after.items.first?.alert.scored.transaction.transactionID == "q-c-new")
        }
    }

    @Test func claimConflictsWithAnotherAnalystsLiveClaimAndExpires() async throws {
        try await Base.withAlerts(policy: ReviewPolicy(claimMinutes: 10)) { fx in
            let ids = try await Self.record(fx, [Base.scored("cl-h1", .high)])
            let id = try #require(ids["cl-h1"])
            let claimed = try #require(try await fx.reviews.claim(ClaimRequest(alertID: id, analyst: "ana")).item)
            #expect(claimed.claimedBy == "ana")
            let remaining = claimed.claimExpiresAtMillis - Int64(Date().timeIntervalSince1970 * 1000)
            #expect(remaining > 9 * 60_000 && remaining <= 10 * 60_000 + 5_000)

            let conflict = await Base.expectFailure(.aborted) {
                _ = try await fx.reviews.claim(ClaimRequest(alertID: id, analyst: "bo"))
            }
            #expect(conflict.contains("ana"))
            // Bo cannot decide it either while Ana's claim holds; Ana re-claiming extends her claim.
            _ = await Base.expectFailure(.aborted) { _ = try await Self.decide(fx, id, .fraud, by: "bo") }
            #expect(try await fx.reviews.claim(ClaimRequest(alertID: id, analyst: "ana")).item?.claimedBy == "ana")

            // The claim expires: Bo may take it.
            try await fx.database.execute(
                "UPDATE alerts SET claim_expires_at = now() - interval '1 second' WHERE alert_id = $1::bigint",
                [PostgresValue(id)])
            let listed = try await fx.reviews.queue(ReviewQueueRequest())
            #expect(listed.items.first?.claimedBy == "")
            #expect(try await fx.reviews.claim(ClaimRequest(alertID: id, analyst: "bo")).item?.claimedBy == "bo")

            // Deciding releases the claim; a decided alert cannot be claimed.
            let decided = try await Self.decide(fx, id, .fraud, by: "bo")
            #expect(decided.item.claimedBy == "")
            let done = await Base.expectFailure(.aborted) {
                _ = try await fx.reviews.claim(ClaimRequest(alertID: id, analyst: "ana"))
            }
            #expect(done.contains("decided"))
            _ = await Base.expectFailure(.notFound) {
                _ = try await fx.reviews.claim(ClaimRequest(alertID: "99999", analyst: "ana"))
            }
            _ = await Base.expectFailure(.invalidArgument) {
                _ = try await fx.reviews.claim(ClaimRequest(alertID: id, analyst: ""))
            }
        }
    }

    @Test func claimNextGivesConcurrentAnalystsDifferentAlertsInQueueOrder() async throws {
        try await Base.withAlerts { fx in
            let items = (0..<30).map { i in Base.scored("cn-\(i)", [.medium, .high, .critical][i % 3]) }
            let ids = try await Self.record(fx, items)
            #expect(ids.count == 30)
            // The first claim takes the oldest critical.
            let critical = items.filter { $0.score.riskLevel == .critical }.map { ids[$0.transaction.transactionID]! }
            try await Self.age(fx, critical[3], minutes: 30)
            let first = try #require(try await fx.reviews.claimNext(ClaimRequest(analyst: "ana")).item)
            #expect(first.alert.alertID == critical[3])
            #expect(first.claimedBy == "ana")

            // Four analysts claim concurrently until nothing is left: every alert is claimed exactly once.
            let claims = try await withThrowingTaskGroup(of: [String].self) { group in
                for analyst in ["ana", "bo", "cy", "di"] {
                    group.addTask {
                        var mine: [String] = []
                        while let item = try await fx.reviews.claimNext(ClaimRequest(analyst: analyst)).item {
                            #expect(item.claimedBy == analyst)
                            mine.append(item.alert.alertID)
                        }
                        return mine
                    }
                }
                var all: [String] = []
                for try await mine in group { all += mine }
                return all
            }
            #expect(claims.count == 29)
            #expect(Set(claims).count == 29)
            #expect(Set(claims + [first.alert.alertID]) == Set(ids.values))
            #expect(try await fx.reviews.claimNext(ClaimRequest(analyst: "ana")).item == nil)
            #expect(
                try await fx.count(
                    "SELECT count(*) AS n FROM alerts WHERE claimed_by IS NOT NULL AND status = 'pending'")
                    == 30)
            // min_risk narrows it; an expired claim is claimable again.
            try await fx.database.execute(
                "UPDATE alerts SET claim_expires_at = now() - interval '1 second' WHERE alert_id = $1::bigint",
                [PostgresValue(critical[0])])
            #expect(
                try await fx.reviews.claimNext(ClaimRequest(analyst: "bo", minRisk: .critical)).item?.alert.alertID
                    == critical[0])
        }
    }

    @Test func decisionsAreIdempotentByKeyAndRefuseAReusedKeyWithAnotherBody() async throws {
        try await Base.withAlerts { fx in
            let ids = try await Self.record(fx, [Base.scored("id-c1", .critical), Base.scored("id-h1", .high)])
            let id = try #require(ids["id-c1"])
            let first = try await Self.decide(fx, id, .fraud, note: "stolen card", key: "k-1")
            #expect(!first.replayed)
            #expect(first.item.alert.status == .confirmedFraud)
            #expect(first.item.alert.decision?.note == "stolen card")

            // Someone overrides in between; the replay still answers what the first request got.
            _ = try await Self.decide(fx, id, .legitimate, by: "bo", note: "false alarm", key: "k-9", override: true)
            let again = try await Self.decide(fx, id, .fraud, note: "stolen card", key: "k-1")
            #expect(again.replayed)
            #expect(again.item == first.item)
            #expect(try await fx.count("SELECT count(*) AS n FROM decision_overrides") == 1)

            // Same key, another body → FAILED_PRECONDITION, nothing written.
            let reused = await Base.expectFailure(.failedPrecondition) {
                _ = try await Self.decide(fx, id, .fraud, note: "another note", key: "k-1")
            }
            #expect(reused.contains("k-1"))
            _ = await Base.expectFailure(.failedPrecondition) {
                _ = try await Self.decide(fx, ids["id-h1"]!, .fraud, note: "stolen card", key: "k-1")
            }
            #expect(try await fx.count("SELECT count(*) AS n FROM alerts WHERE status = 'pending'") == 1)
            // Keys are per analyst: another analyst's k-1 is a new request.
            let cy = try await Self.decide(fx, ids["id-h1"]!, .legitimate, by: "cy", key: "k-1")
            #expect(!cy.replayed)
            #expect(cy.item.alert.decision?.analyst == "cy")

            // Concurrent requests with one key: one decides, the others get the same answer.
            let h = try await Self.record(fx, [Base.scored("id-m1", .medium)])["id-m1"]!
            let answers = try await withThrowingTaskGroup(of: ReviewDecideResponse.self) { group in
                for _ in 0..<6 { group.addTask { try await Self.decide(fx, h, .fraud, note: "n", key: "k-race") } }
                var all: [ReviewDecideResponse] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            #expect(answers.filter { !$0.replayed }.count == 1)
            #expect(Set(answers.map(\.item)).count == 1)
            #expect(
                try await fx.count(
                    "SELECT count(*) AS n FROM review_decision_requests WHERE idempotency_key = 'k-race'") == 1)
        }
    }

    @Test func aDifferentDecisionConflictsUnlessOverriddenAndEveryOverrideIsAudited() async throws {
        try await Base.withAlerts { fx in
            let id = try #require(try await Self.record(fx, [Base.scored("ov-c1", .critical)])["ov-c1"])
            let first = try await Self.decide(fx, id, .fraud, by: "ana", note: "first")
            let decidedAt = try #require(first.item.alert.decision?.decidedAtMillis)
            // The same decision again changes nothing (no overwrite of who, when or the note).
            let same = try await Self.decide(fx, id, .fraud, by: "bo", note: "again")
            #expect(same.item.alert.decision?.analyst == "ana")
            #expect(same.item.alert.decision?.note == "first")
            #expect(!same.overridden)

            let conflict = await Base.expectFailure(.aborted) {
                _ = try await Self.decide(fx, id, .legitimate, by: "bo")
            }
            #expect(conflict.contains("override"))
            #expect(try await fx.count("SELECT count(*) AS n FROM alerts WHERE status = 'confirmed_fraud'") == 1)

            let changed = try await Self.decide(fx, id, .legitimate, by: "bo", note: "merchant error", override: true)
            #expect(changed.overridden)
            #expect(changed.item.alert.status == .legitimate)
            #expect(changed.item.alert.decision?.analyst == "bo")
            let back = try await Self.decide(fx, id, .fraud, by: "cy", note: "chargeback arrived", override: true)
            #expect(back.overridden)

            let audit = try await fx.database.query(
                """
                SELECT analyst, from_status, to_status, note, previous_note, previous_analyst,
                    (extract(epoch FROM previous_decided_at) * 1000)::bigint AS previous_ms,
                    overridden_at IS NOT NULL AS stamped
                FROM decision_overrides ORDER BY override_id
                """)
            #expect(audit.count == 2)
            #expect(try audit[0].string("analyst") == "bo")
            #expect(try audit[0].string("from_status") == "confirmed_fraud")
            #expect(try audit[0].string("to_status") == "legitimate")
            #expect(try audit[0].string("note") == "merchant error")
            #expect(try audit[0].string("previous_note") == "first")
            #expect(try audit[0].string("previous_analyst") == "ana")
            #expect(try audit[0].int64("previous_ms") == decidedAt)
            #expect(try audit[0].bool("stamped") == true)
            #expect(try audit[1].string("analyst") == "cy")
            #expect(try audit[1].string("from_status") == "legitimate")
            #expect(try audit[1].string("previous_note") == "merchant error")
        }
    }

    @Test func bulkDecisionsAnswerPerItem() async throws {
        try await Base.withAlerts { fx in
            let ids = try await Self.record(
                fx, [Base.scored("bk-1", .high), Base.scored("bk-2", .high), Base.scored("bk-3", .critical)])
            _ = try await Self.decide(fx, ids["bk-3"]!, .legitimate)
            let request = DecideManyRequest(items: [
                ReviewDecideRequest(alertID: ids["bk-1"]!, decision: .fraud, analyst: "ana", idempotencyKey: "b/1"),
                ReviewDecideRequest(alertID: "987654", decision: .fraud, analyst: "ana"),
                ReviewDecideRequest(alertID: ids["bk-3"]!, decision: .fraud, analyst: "ana"),
                ReviewDecideRequest(alertID: ids["bk-2"]!, decision: .legitimate, note: "ok", analyst: "ana"),
                ReviewDecideRequest(alertID: ids["bk-2"]!, decision: .unspecified, analyst: "ana"),
            ])
            let response = try await fx.reviews.decideMany(request)
            #expect(response.results.map(\.status.code) == [.ok, .notFound, .aborted, .ok, .invalidArgument])
            #expect(response.results[0].response?.item.alert.status == .confirmedFraud)
            #expect(response.results[3].response?.item.alert.decision?.note == "ok")
            #expect(response.results[1].response == nil)
            #expect(response.results[1].status.message.contains("987654"))
            // The repeat replays the keyed item and finds the others as they are.
            let again = try await fx.reviews.decideMany(request)
            #expect(again.results[0].response?.replayed == true)
            #expect(again.results.map(\.status.code) == [.ok, .notFound, .aborted, .ok, .invalidArgument])

            let tooMany = DecideManyRequest(
                items: Array(repeating: ReviewDecideRequest(alertID: "1", decision: .fraud, analyst: "a"), count: 501))
            _ = await Base.expectFailure(.invalidArgument) { _ = try await fx.reviews.decideMany(tooMany) }
        }
    }

    @Test func statsReportPrecisionBacklogTimeToDecisionSLAAndDeliveries() async throws {
        try await Base.withAlerts(policy: ReviewPolicy(slaMinutes: [.critical: 15, .high: 60, .medium: 240])) { fx in
            let ids = try await Self.record(
                fx,
                [
                    Base.scored("st-c1", .critical), Base.scored("st-c2", .critical), Base.scored("st-h1", .high),
                    Base.scored("st-h2", .high), Base.scored("st-m1", .medium), Base.scored("st-m2", .medium),
                ])
            // Decision times: 10, 20, 30 and 100 minutes after the alert.
            for (tx, minutes, decision) in [
                ("st-c1", 10, Decision.fraud), ("st-h1", 20, .fraud), ("st-h2", 30, .fraud),
                ("st-m1", 100, .legitimate),
            ] {
                try await Self.age(fx, ids[tx]!, minutes: minutes)
                _ = try await Self.decide(fx, ids[tx]!, decision)
            }
            try await Self.age(fx, ids["st-c2"]!, minutes: 16)  // pending past its SLA
            try await fx.database.execute(
                """
                INSERT INTO notification_deliveries (delivery_id, alert_id, channel, channel_type, event_type, state)
                VALUES (gen_random_uuid(), $1::bigint, 'oncall', 'pagerduty', 'trigger', 'delivered'),
                       (gen_random_uuid(), $1::bigint, 'oncall', 'pagerduty', 'trigger', 'dead'),
                       (gen_random_uuid(), $2::bigint, 'oncall', 'pagerduty', 'trigger', 'dead'),
                       (gen_random_uuid(), $2::bigint, 'fraud-team', 'slack', 'trigger', 'pending')
                """, [PostgresValue(ids["st-c1"]!), PostgresValue(ids["st-c2"]!)])

            let stats = try await fx.reviews.stats(ReviewStatsRequest())
            #expect(stats.decidedFraud == 3)
            #expect(stats.decidedLegitimate == 1)
            #expect(stats.precision == 0.75)
            #expect(stats.falsePositiveRate == 0.25)
            #expect(abs(stats.medianSecondsToDecision - 25 * 60) < 30)
            // p90 of 10, 20, 30, 100 min (linear interpolation): 30 + 0.7 × 70 = 79 min.
            #expect(abs(stats.p90SecondsToDecision - 79 * 60) < 30)
            let backlog = Dictionary(uniqueKeysWithValues: stats.backlogByRisk.map { ($0.riskLevel, $0.count) })
            #expect(backlog == [.low: 0, .medium: 1, .high: 0, .critical: 1])
            let breached = Dictionary(uniqueKeysWithValues: stats.slaBreachedByRisk.map { ($0.riskLevel, $0.count) })
            #expect(breached == [.low: 0, .medium: 0, .high: 0, .critical: 1])
            #expect(stats.decidedAfterSLA == 0)
            #expect(
                stats.deliveries == [
                    ChannelStateCount(channel: "fraud-team", state: "pending", count: 1),
                    ChannelStateCount(channel: "oncall", state: "dead", count: 2),
                    ChannelStateCount(channel: "oncall", state: "delivered", count: 1),
                ])
            #expect(stats.deadLetters == 2)
            #expect(stats.overrides == 0)
        }
    }

    @Test func oldIdempotencyKeysAreForgotten() async throws {
        try await Base.withAlerts(policy: ReviewPolicy(idempotencyRetentionHours: 24)) { fx in
            let ids = try await Self.record(fx, [Base.scored("ik-1", .high), Base.scored("ik-2", .high)])
            _ = try await Self.decide(fx, ids["ik-1"]!, .fraud, key: "old")
            _ = try await Self.decide(fx, ids["ik-2"]!, .fraud, key: "recent")
            try await fx.database.execute(
                "UPDATE review_decision_requests SET created_at = now() - interval '25 hours' WHERE idempotency_key = 'old'"
            )
            let maintainer = ReviewMaintainer(
                database: fx.database, policy: fx.service.reviews.policy, interval: .seconds(3600), logger: Base.logger)
            #expect(try await maintainer.purge() == 1)
            let kept = try await fx.database.query("SELECT idempotency_key FROM review_decision_requests")
            #expect(try kept.map { try $0.string("idempotency_key") } == ["recent"])
            // The forgotten key is a new request now: the same decision again is answered, not replayed.
            let again = try await Self.decide(fx, ids["ik-1"]!, .fraud, key: "old")
            #expect(!again.replayed)
            #expect(again.item.alert.status == .confirmedFraud)
        }
    }

    /// Its wait is an hour long: SIGTERM must end it at once (a hang here stops the alerts process from exiting).
    @Test func theMaintainerStopsAtOnceOnGracefulShutdown() async throws {
        try await Base.withAlerts { fx in
            let maintainer = ReviewMaintainer(
                database: fx.database, policy: ReviewPolicy(), interval: .seconds(3600), logger: Base.logger)
            let group = ServiceGroup(
                configuration: .init(services: [.init(service: maintainer)], logger: Base.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await Task.sleep(for: .milliseconds(300))
                await group.triggerGracefulShutdown()
                try await tasks.next()
            }
        }
    }

    @Test func slaSettingsParseAndRefuseBadEntries() throws {
        #expect(
            try ReviewPolicy.parseSLA("critical=15,high=60, medium = 240") == [.critical: 15, .high: 60, .medium: 240])
        #expect(try ReviewPolicy.parseSLA("") == [:])
        let policy = ReviewPolicy(slaMinutes: try ReviewPolicy.parseSLA("high=30"))
        #expect(policy.sla(.high) == 30)
        #expect(policy.sla(.critical) == 15)
        #expect(policy.slaDescription == "critical=15,high=30,medium=240,low=1440")
        for bad in ["critical", "urgent=5", "high=0", "high=abc", "high=5,high=6"] {
            #expect(throws: ReviewPolicyError.self, "\(bad)") { try ReviewPolicy.parseSLA(bad) }
        }
    }
}
