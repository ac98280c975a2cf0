import Foundation
import Stores
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The review API over HTTP: the built gateway and alerts executables, a real PostgreSQL; alerts are inserted
/// straight into the database (no model needed: scoring is not involved).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ReviewAPITests {
    /// Starts PostgreSQL, Redis, the alerts service and the gateway; inserts `alerts` (transaction id → risk) once
    /// the schema is migrated; runs `body` with the alert ids by transaction id.
    private func withReviewStack(
        alerts: [(String, String)], _ body: (LocalCluster, PostgresClient, [String: String]) async throws -> Void
    ) async throws {
        let cluster = try await LocalCluster(modelDirectory: NSTemporaryDirectory() + "txad-no-model-\(UUID())")
        var failure: (any Error)?
        let db: PostgresClient
        do {
            db = try PostgresClient(url: cluster.postgres.url)
        } catch {
            await cluster.stop()
            throw error
        }
        do {
            try cluster.startService("alerts")
            try cluster.startService("gateway")
            try await cluster.waitFor(cluster.gatewayURL + "/", service: "gateway")
            try await LocalCluster.waitForReviewSchema(db)
            for (index, (transactionID, risk)) in alerts.enumerated() {
                try await db.execute(
                    """
                    INSERT INTO predictions (transaction_id, user_id, occurred_at, amount, currency, isolation_forest,
                        autoencoder, ensemble, is_anomaly, risk_level, model_version, degraded, request_id, scored_at)
                    VALUES ($1, $2, now(), 120.5, 'EUR', 0.9, 0.9, 0.9, true, $3, 'v-e2e', false, 'r', now())
                    """, [PostgresValue(transactionID), PostgresValue("user-\(index % 2)"), PostgresValue(risk)])
                try await db.execute(
                    """
                    INSERT INTO alerts (transaction_id, risk_level, ensemble, reasons, model_version, created_at)
                    VALUES ($1, $2, 0.9, '[{"code":"AMOUNT_HIGH","feature":"amount","value":6,"text":"high"}]', 'v-e2e',
                        now() - make_interval(mins => $3::int))
                    """, [PostgresValue(transactionID), PostgresValue(risk), PostgresValue(100 - index)])
            }
            let rows = try await db.query("SELECT alert_id::text AS id, transaction_id FROM alerts")
            let ids = Dictionary(
                uniqueKeysWithValues: try rows.map {
                    (try $0.string("transaction_id") ?? "", try $0.string("id") ?? "")
                })
            try await body(cluster, db, ids)
        } catch {
            failure = error
        }
        await db.shutdown()
        await cluster.stop()
        if let failure { throw failure }
    }

    private func call(
        _ cluster: LocalCluster, _ method: String, _ path: String, analyst: String? = "ana", key: String? = nil,
        json: Any? = nil, rawBody: String? = nil
    ) async throws -> (status: Int, body: [String: Any], contentType: String, headers: [AnyHashable: Any]) {
        var request = URLRequest(url: URL(string: cluster.gatewayURL + path)!)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let analyst { request.setValue(analyst, forHTTPHeaderField: "X-Analyst") }
        if let key { request.setValue(key, forHTTPHeaderField: "Idempotency-Key") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let rawBody {
            request.httpBody = Data(rawBody.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        let object = data.isEmpty ? [:] : (try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:])
        return (http.statusCode, object, http.value(forHTTPHeaderField: "Content-Type") ?? "", http.allHeaderFields)
    }

    private func fields(_ problem: [String: Any]) -> [String] {
        (problem["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
    }

    @Test func alertsListDetailQueueAndClaimsOverHTTP() async throws {
        let alerts = [("h-a", "high"), ("c-a", "critical"), ("m-a", "medium"), ("c-b", "critical"), ("h-b", "high")]
        try await withReviewStack(alerts: alerts) { cluster, db, ids in
            // GET /alerts: newest first, cursor pages, filters; bad parameters named.
            var seen: [String] = []
            var cursor: String?
            repeat {
                let path = "/alerts?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await call(cluster, "GET", path)
                #expect(page.status == 200)
                let items = try #require(page.body["alerts"] as? [[String: Any]])
                seen += items.compactMap {
                    ($0["prediction"] as? [String: Any]).flatMap { $0["transaction"] as? [String: Any] }?[
                        "transaction_id"] as? String
                }
                cursor = page.body["next_cursor"] as? String
            } while cursor != nil && seen.count < 10
            #expect(seen == ["h-b", "c-b", "m-a", "c-a", "h-a"])
            let critical = try await call(cluster, "GET", "/alerts?risk_level=critical&status=pending")
            #expect((critical.body["alerts"] as? [[String: Any]])?.count == 2)
            let user = try await call(cluster, "GET", "/alerts?user_id=user-0")
            #expect((user.body["alerts"] as? [[String: Any]])?.count == 3)
            let bad = try await call(cluster, "GET", "/alerts?risk_level=severe&limit=0&since=yesterday&colour=red")
            #expect(bad.status == 422)
            #expect(bad.contentType.hasPrefix("application/problem+json"))
            #expect(Set(fields(bad.body)) == ["risk_level", "limit", "since", "colour"])
            let badCursor = try await call(cluster, "GET", "/alerts?cursor=nope")
            #expect(badCursor.status == 422)

            // GET /alerts/{id}: the alert with its context; 404 and 422.
            try await db.execute(
                """
                INSERT INTO notification_deliveries (delivery_id, alert_id, channel, channel_type, event_type, state,
                    attempts, last_status)
                VALUES (gen_random_uuid(), $1::bigint, 'oncall', 'pagerduty', 'trigger', 'delivered', 1, 202)
                """, [PostgresValue(ids["c-a"]!)])
            let detail = try await call(cluster, "GET", "/alerts/\(ids["c-a"]!)")
            #expect(detail.status == 200)
            #expect(detail.body["risk_level"] as? String == "critical")
            #expect((detail.body["deliveries"] as? [[String: Any]])?.first?["last_status"] as? Int == 202)
            #expect((detail.body["recent_transactions"] as? [[String: Any]])?.count == 2)  // user-1: c-a and c-b
            #expect(try await call(cluster, "GET", "/alerts/999999").status == 404)
            let notNumber = try await call(cluster, "GET", "/alerts/abc")
            #expect(notNumber.status == 422)
            #expect(fields(notNumber.body) == ["alert_id"])

            // GET /reviews: critical first (oldest first), SLA flags (critical 15 min: both are past it).
            let queue = try await call(cluster, "GET", "/reviews")
            #expect(queue.status == 200)
            let items = try #require(queue.body["items"] as? [[String: Any]])
            #expect(items.map { $0["alert_id"] as? String } == ["c-a", "c-b", "h-a", "h-b", "m-a"].map { ids[$0] })
            #expect(items.map { $0["sla_breached"] as? Bool } == [true, true, true, true, false])
            #expect(queue.body["breached"] as? Int == 4)
            let older = try await call(cluster, "GET", "/reviews?min_age_minutes=98&min_risk=high")
            #expect(
                (older.body["items"] as? [[String: Any]])?.map { $0["alert_id"] as? String } == [
                    ids["c-a"], ids["h-a"],
                ])
            let badQueue = try await call(cluster, "GET", "/reviews?min_age_minutes=-1&limit=500&offset=x")
            #expect(badQueue.status == 422)
            #expect(Set(fields(badQueue.body)) == ["min_age_minutes", "limit", "offset"])

            // Claims: 200, another analyst's 409, next → 200 … 204 when nothing is left.
            let claim = try await call(cluster, "POST", "/reviews/\(ids["c-a"]!)/claim", analyst: "ana")
            #expect(claim.status == 200)
            #expect((claim.body["claim"] as? [String: Any])?["analyst"] as? String == "ana")
            let conflict = try await call(cluster, "POST", "/reviews/\(ids["c-a"]!)/claim", analyst: "bo")
            #expect(conflict.status == 409)
            #expect(conflict.contentType.hasPrefix("application/problem+json"))
            let next = try await call(cluster, "POST", "/reviews/next", analyst: "bo")
            #expect(next.status == 200)
            #expect(next.body["alert_id"] as? String == ids["c-b"])
            var claimed = 2
            while try await call(cluster, "POST", "/reviews/next?min_risk=high", analyst: "cy").status == 200 {
                claimed += 1
            }
            #expect(claimed == 4)
            #expect(try await call(cluster, "POST", "/reviews/next?min_risk=high", analyst: "cy").status == 204)
            #expect(try await call(cluster, "POST", "/reviews/next?min_risk=urgent").status == 422)
            #expect(try await call(cluster, "POST", "/reviews/999999/claim").status == 404)
        }
    }

    @Test func decisionsOverHTTPAreIdempotentAuditedAndValidated() async throws {
        try await withReviewStack(alerts: [("d-1", "critical"), ("d-2", "high"), ("d-3", "medium")]) {
            cluster, db, ids in
            let path = "/reviews/\(ids["d-1"]!)/decision"
            let noKey = try await call(cluster, "POST", path, json: ["decision": "fraud"])
            #expect(noKey.status == 400)
            #expect(fields(noKey.body) == ["Idempotency-Key"])
            let invalid = try await call(
                cluster, "POST", path, key: "k1", json: ["decision": "maybe", "note": 5, "extra": true])
            #expect(invalid.status == 422)
            #expect(invalid.contentType.hasPrefix("application/problem+json"))
            #expect(Set(fields(invalid.body)) == ["decision", "note", "extra"])
            #expect(try await call(cluster, "POST", path, key: "k1", rawBody: "{\"decision\":").status == 400)

            let first = try await call(cluster, "POST", path, key: "k1", json: ["decision": "fraud", "note": "stolen"])
            #expect(first.status == 200)
            let decision = try #require(first.body["decision"] as? [String: Any])
            #expect(decision["analyst"] as? String == "ana")
            #expect(decision["decision"] as? String == "fraud")
            #expect(first.body["replayed"] as? Bool == false)
            let replay = try await call(
                cluster, "POST", path, key: "k1", json: ["decision": "fraud", "note": "stolen"])
            #expect(replay.status == 200)
            #expect(replay.body["replayed"] as? Bool == true)
            #expect((replay.headers["Idempotent-Replayed"] as? String) == "true")
            let reused = try await call(cluster, "POST", path, key: "k1", json: ["decision": "legitimate"])
            #expect(reused.status == 422)
            #expect(fields(reused.body) == ["Idempotency-Key"])
            let changed = try await call(
                cluster, "POST", path, analyst: "bo", key: "k2", json: ["decision": "legitimate"])
            #expect(changed.status == 409)
            let overridden = try await call(
                cluster, "POST", path, analyst: "bo", key: "k3",
                json: ["decision": "legitimate", "note": "merchant confirmed", "override": true])
            #expect(overridden.status == 200)
            #expect(overridden.body["overridden"] as? Bool == true)
            let audit = try await db.query("SELECT analyst, from_status, to_status, note FROM decision_overrides")
            #expect(audit.count == 1)
            #expect(try audit.first?.string("analyst") == "bo")
            #expect(try audit.first?.string("to_status") == "legitimate")
            let detail = try await call(cluster, "GET", "/alerts/\(ids["d-1"]!)")
            #expect((detail.body["overrides"] as? [[String: Any]])?.first?["from"] as? String == "fraud")

            // Bulk: per-item results, invalid items named, valid ones decided.
            let bulk = try await call(
                cluster, "POST", "/reviews/decisions", analyst: "cy", key: "bulk-1",
                json: [
                    "decisions": [
                        ["alert_id": ids["d-2"]!, "decision": "fraud"],
                        ["alert_id": Int(ids["d-3"]!)!, "decision": "legitimate", "note": "ok"],
                        ["alert_id": "999999", "decision": "fraud"],
                        ["alert_id": ids["d-1"]!, "decision": "fraud"],
                        ["decision": "nope"],
                    ]
                ])
            #expect(bulk.status == 200)
            let results = try #require(bulk.body["results"] as? [[String: Any]])
            #expect(results.map { $0["status"] as? Int } == [200, 200, 404, 409, 422])
            #expect(Set(fields(results[4]["problem"] as? [String: Any] ?? [:])) == ["decision", "alert_id"])
            #expect((bulk.body["summary"] as? [String: Any])?["decided"] as? Int == 2)
            let again = try await call(
                cluster, "POST", "/reviews/decisions", analyst: "cy", key: "bulk-1",
                json: ["decisions": [["alert_id": ids["d-2"]!, "decision": "fraud"]]])
            #expect(
                ((again.body["results"] as? [[String: Any]])?.first?["alert"] as? [String: Any])?["replayed"] as? Bool
                    == true)
            let tooMany = try await call(
                cluster, "POST", "/reviews/decisions",
                json: ["decisions": Array(repeating: ["alert_id": "1", "decision": "fraud"], count: 501)])
            #expect(tooMany.status == 413)
            #expect(try await call(cluster, "POST", "/reviews/decisions", json: ["items": []]).status == 422)

            // The largest bulk request: 500 decisions (the elapsed time is printed, not asserted).
            try await db.execute(
                """
                INSERT INTO predictions (transaction_id, user_id, occurred_at, amount, currency, isolation_forest,
                    autoencoder, ensemble, is_anomaly, risk_level, model_version, degraded, request_id, scored_at)
                SELECT 'bulk-' || i, 'user-bulk', now(), 10, 'EUR', 0.8, 0.8, 0.8, true, 'medium', 'v', false, 'r', now()
                FROM generate_series(1, 500) AS i
                """)
            try await db.execute(
                """
                INSERT INTO alerts (transaction_id, risk_level, ensemble, reasons, model_version)
                SELECT 'bulk-' || i, 'medium', 0.8, '[]', 'v' FROM generate_series(1, 500) AS i
                """)
            let bulkIDs = try await db.query(
                "SELECT alert_id::text AS id FROM alerts WHERE transaction_id LIKE 'bulk-%' ORDER BY alert_id"
            ).map { try $0.string("id") ?? "" }
            #expect(bulkIDs.count == 500)
            let started = ContinuousClock.now
            let largest = try await call(
                cluster, "POST", "/reviews/decisions", analyst: "di", key: "bulk-500",
                json: ["decisions": bulkIDs.map { ["alert_id": $0, "decision": "legitimate", "note": "batch close"] }])
            print("review API: 500 bulk decisions over HTTP in \(ContinuousClock.now - started)")
            #expect(largest.status == 200)
            #expect((largest.body["summary"] as? [String: Any])?["decided"] as? Int == 500)
            #expect(try await db.query("SELECT 1 FROM alerts WHERE decided_by = 'di'").count == 500)

            // /stats carries the review figures.
            let stats = try await call(cluster, "GET", "/stats")
            #expect(stats.status == 200)
            let review = try #require(stats.body["review"] as? [String: Any])
            #expect((review["decided"] as? [String: Any])?["fraud"] as? Int == 1)
            #expect((review["decided"] as? [String: Any])?["legitimate"] as? Int == 502)
            #expect(review["overrides"] as? Int == 1)
            #expect(abs((review["false_positive_rate"] as? Double ?? 0) - 502.0 / 503.0) < 1e-9)
        }
    }
}
