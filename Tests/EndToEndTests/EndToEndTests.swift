import Detection
import Domain
import Foundation
import Stores
import Testing

/// The running system across four processes with real Redis and PostgreSQL (issue: the running system).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct EndToEndTests {
    /// Starts a cluster, runs `body`, stops the cluster whatever happens.
    private func withCluster(_ body: (LocalCluster, TestModel.Prepared) async throws -> Void) async throws {
        let model = try await TestModel.prepared()
        let cluster = try await LocalCluster(modelDirectory: model.modelDirectory)
        do {
            try await cluster.start()
            try await body(cluster, model)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    private func predict(_ cluster: LocalCluster, _ t: Transaction) async throws -> ([String: Any], Int) {
        let (data, status) = try await HTTP.post(cluster.gatewayURL + "/predict", body: t.jsonData)
        return (try HTTP.json(data), status)
    }

    private func batch(_ cluster: LocalCluster, _ ts: [Transaction]) async throws -> ([String: Any], Int) {
        let body = try JSONSerialization.data(withJSONObject: ts.map(\.json))
        let (data, status) = try await HTTP.post(cluster.gatewayURL + "/predict/batch", body: body)
        return (try HTTP.json(data), status)
    }

    private func predictionCount(_ cluster: LocalCluster, transactionID: String) async throws -> Int {
        let db = try PostgresClient(url: cluster.postgres.url)
        defer { Task { await db.shutdown() } }
        let rows = try await db.query(
            "SELECT count(*) AS n FROM predictions WHERE transaction_id = $1", [PostgresValue(transactionID)])
        return Int(try rows.first?.int64("n") ?? 0)
    }

    private func alertCount(_ cluster: LocalCluster, transactionID: String? = nil) async throws -> Int {
        let db = try PostgresClient(url: cluster.postgres.url)
        defer { Task { await db.shutdown() } }
        let rows =
            if let transactionID {
                try await db.query(
                    "SELECT count(*) AS n FROM alerts WHERE transaction_id = $1", [PostgresValue(transactionID)])
            } else {
                try await db.query("SELECT count(*) AS n FROM alerts")
            }
        return Int(try rows.first?.int64("n") ?? 0)
    }

    @Test func normalTransactionsAreLowRiskAndAnAnomalyBecomesAnAlertWithReasons() async throws {
        try await withCluster { cluster, model in
            // Warm up user history with the first 60% of the data, as the model saw it in training.
            let cut = model.rows.count * 6 / 10
            let history = model.rows[..<cut].map(\.transaction)
            for start in stride(from: 0, to: history.count, by: 2000) {
                let (_, status) = try await batch(cluster, Array(history[start..<min(start + 2000, history.count)]))
                #expect(status == 200)
            }
            let later = model.rows[cut...]
            let normals = later.filter { $0.label?.isAnomaly == false }.prefix(20).map(\.transaction)
            var low = 0
            for t in normals {
                let (body, status) = try await predict(cluster, t)
                #expect(status == 200)
                if body["risk_level"] as? String == "low" {
                    low += 1
                    #expect(body["alert_status"] as? String == "none")
                    #expect(try await alertCount(cluster, transactionID: t.transactionID) == 0)
                }
            }
            #expect(low >= 15, "most normal transactions should be low risk, got \(low) of \(normals.count)")

            let anomaly = try #require(
                later.filter { $0.label?.anomalyType == "high_amount" }.max { $0.transaction.amount < $1.transaction.amount })
            let (body, status) = try await predict(cluster, anomaly.transaction)
            #expect(status == 200)
            let risk = try #require(body["risk_level"] as? String)
            #expect(risk != "low", "a blatant high-amount anomaly should not be low risk: \(body)")
            #expect(body["alert_status"] as? String == "recorded")
            #expect((body["reasons"] as? [[String: Any]])?.isEmpty == false)
            let db = try PostgresClient(url: cluster.postgres.url)
            let rows = try await db.query(
                "SELECT risk_level, status, reasons::text AS reasons FROM alerts WHERE transaction_id = $1",
                [PostgresValue(anomaly.transaction.transactionID)])
            await db.shutdown()
            let row = try #require(rows.first)
            #expect(try row.string("status") == "pending")
            #expect(try row.string("risk_level") == risk)
            #expect(try row.string("reasons")?.contains("\"code\"") == true)
        }
    }

    @Test func aRepeatedTransactionIsServedFromTheCache() async throws {
        try await withCluster { cluster, model in
            let t = model.rows[100].transaction
            let (first, s1) = try await predict(cluster, t)
            let (second, s2) = try await predict(cluster, t)
            #expect(s1 == 200 && s2 == 200)
            #expect(first["cached"] as? Bool == false)
            #expect(second["cached"] as? Bool == true)
            #expect((first["scores"] as? [String: Double]) == (second["scores"] as? [String: Double]))
            // Inside a batch the same id is cached too, and a new one is not.
            let (b, _) = try await batch(cluster, [t, model.rows[101].transaction])
            let results = try #require(b["results"] as? [[String: Any]])
            #expect(results.map { $0["cached"] as? Bool } == [true, false])
        }
    }

    @Test func identicalRequestsAtTheSameMomentUpdateTheUsersStateOnce() async throws {
        try await withCluster { cluster, model in
            var row = model.rows[200].transaction
            row.userID = "e2e_same_moment"
            let t = row
            let answers = try await withThrowingTaskGroup(of: (Double?, Int).self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        let (body, status) = try await predict(cluster, t)
                        return ((body["scores"] as? [String: Double])?["ensemble"], status)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.1 == 200 })
            let scores = Set(answers.compactMap(\.0))
            #expect(scores.count == 1 && answers.allSatisfy { $0.0 != nil })
            let redis = try RedisClient(url: cluster.redis.url)
            defer { Task { await redis.shutdown() } }
            let bytes = try #require(try await redis.get("txad:user:e2e_same_moment"))
            #expect(try UserState(serialized: bytes).transactionCount == 1)
            _ = try await HTTP.get(cluster.gatewayURL + "/stats")  // writes the alerts service's pending batch
            #expect(try await predictionCount(cluster, transactionID: t.transactionID) == 1)
        }
    }

    @Test func concurrentSinglePredictionsScoreExactlyLikeTheSameRowsInABatch() async throws {
        try await withCluster { cluster, model in
            // Six rows each of eight users, twice under two names: as single requests (one row of every user at a
            // time, the eight sent together so the gateway scores them as one group) and as one batch. Same
            // histories, same features, same scores.
            var byUser: [String: [Transaction]] = [:]
            for row in model.rows { byUser[row.transaction.userID, default: []].append(row.transaction) }
            let users = byUser.filter { $0.value.count >= 6 }.keys.sorted().prefix(8)
            #expect(users.count == 8)
            let steps = (0..<6).map { step in users.map { byUser[$0]![step] } }
            let history = steps.flatMap { $0 }
            func renamed(_ t: Transaction, _ suffix: String) -> Transaction {
                var copy = t
                copy.userID += suffix
                copy.transactionID += suffix
                return copy
            }
            var singles: [String: Double] = [:]
            for step in steps {
                let answers = try await withThrowingTaskGroup(of: (String, Double?).self) { tasks in
                    for t in step.map({ renamed($0, "-s") }) {
                        tasks.addTask {
                            let (body, _) = try await predict(cluster, t)
                            return (t.transactionID, (body["scores"] as? [String: Double])?["ensemble"])
                        }
                    }
                    return try await tasks.reduce(into: [:]) { $0[$1.0] = $1.1 }
                }
                for (id, score) in answers { singles[id] = score }
            }
            let (body, status) = try await batch(cluster, history.map { renamed($0, "-b") })
            #expect(status == 200)
            let results = try #require(body["results"] as? [[String: Any]])
            #expect(results.count == history.count)
            for (t, result) in zip(history, results) {
                let batchScore = (result["scores"] as? [String: Double])?["ensemble"]
                #expect(batchScore != nil && singles[t.transactionID + "-s"] == batchScore, "\(t.transactionID)")
            }
        }
    }

    @Test func aBatchOfTenThousandIsCountedInStats() async throws {
        try await withCluster { cluster, model in
            let rows = Array(model.rows.prefix(10_000)).map(\.transaction)
            let (body, status) = try await batch(cluster, rows)
            #expect(status == 200)
            let summary = try #require(body["summary"] as? [String: Any])
            #expect(summary["total"] as? Int == 10_000)
            #expect(summary["scored"] as? Int == 10_000)
            let results = try #require(body["results"] as? [[String: Any]])
            #expect(results.map { $0["transaction_id"] as? String } == rows.map(\.transactionID))
            let byRisk = try #require(summary["by_risk"] as? [String: Int])
            let (statsData, statsStatus) = try await HTTP.get(cluster.gatewayURL + "/stats")
            #expect(statsStatus == 200)
            let stats = try HTTP.json(statsData)
            #expect(stats["predictions"] as? Int == 10_000)
            let predictionsByRisk = try #require(stats["predictions_by_risk"] as? [String: Int])
            #expect(predictionsByRisk == byRisk)
            let alerts = (byRisk["medium"] ?? 0) + (byRisk["high"] ?? 0) + (byRisk["critical"] ?? 0)
            #expect(stats["alerts"] as? Int == alerts)
            #expect(try await alertCount(cluster) == alerts)
        }
    }

    @Test func badInputGetsClearClientErrors() async throws {
        try await withCluster { cluster, model in
            let url = cluster.gatewayURL
            let (malformed, s1) = try await HTTP.post(url + "/predict", body: Data("{\"amount\": ".utf8))
            #expect(s1 == 400)
            #expect(String(decoding: malformed, as: UTF8.self).contains("invalid JSON"))

            var unknown = model.rows[0].transaction.json
            unknown["amout"] = 3
            let (u, s2) = try await HTTP.post(url + "/predict", body: try JSONSerialization.data(withJSONObject: unknown))
            #expect(s2 == 422)
            let problem = try HTTP.json(u)
            #expect((problem["errors"] as? [[String: String]])?.contains { $0["field"] == "amout" } == true)

            let (_, s3) = try await HTTP.post(url + "/predict", body: Data("x".utf8), contentType: "text/plain")
            #expect(s3 == 415)

            let csv = """
                transaction_id,user_id,timestamp,amount
                csv-ok-1,u1,2024-05-01T10:00:00Z,12.50
                csv-bad-2,u1,not-a-time,12.50
                csv-bad-3,u1,2024-05-01T10:05:00Z,-4
                """
            let (c, s4) = try await HTTP.post(url + "/predict/batch", body: Data(csv.utf8), contentType: "text/csv")
            #expect(s4 == 200)
            let result = try HTTP.json(c)
            #expect((result["results"] as? [Any])?.count == 1)
            let errors = try #require(result["errors"] as? [[String: Any]])
            #expect(errors.compactMap { $0["line"] as? Int } == [3, 4])

            let tooMany = Array(repeating: model.rows[0].transaction.json, count: 10_001)
            let (_, s5) = try await HTTP.post(
                url + "/predict/batch", body: try JSONSerialization.data(withJSONObject: tooMany))
            #expect(s5 == 413)
        }
    }

    @Test func inferenceDownGives503AndRecoversWithoutRestartingTheGateway() async throws {
        try await withCluster { cluster, model in
            await cluster.kill("inference")
            let (body, status) = try await predict(cluster, model.rows[200].transaction)
            #expect(status == 503)
            #expect(body["status"] as? Int == 503)
            try cluster.startService("inference")
            try await cluster.waitFor("http://127.0.0.1:\(cluster.ports["inference"]!.admin)/health/ready", service: "inference")
            var recovered = false
            for attempt in 0..<50 where !recovered {
                let (_, s) = try await predict(cluster, model.rows[300 + attempt].transaction)
                recovered = s == 200
                if !recovered { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(recovered)
        }
    }

    @Test func alertsAreSpooledWhilePostgresIsDownAndStoredExactlyOnceAfter() async throws {
        try await withCluster { cluster, model in
            try await cluster.postgres.kill()
            let anomalies = model.rows.filter { $0.label?.isAnomaly == true }.prefix(300).map(\.transaction)
            let (body, status) = try await batch(cluster, anomalies)
            #expect(status == 200)
            let results = try #require(body["results"] as? [[String: Any]])
            let alerted = results.filter { ($0["risk_level"] as? String) != "low" }
            #expect(!alerted.isEmpty)
            #expect(alerted.allSatisfy { $0["alert_status"] as? String == "recorded" })
            try await cluster.postgres.restart()
            var stored = 0
            for _ in 0..<100 {
                stored = (try? await alertCount(cluster)) ?? 0
                if stored >= alerted.count { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(stored == alerted.count)
            let db = try PostgresClient(url: cluster.postgres.url)
            let rows = try await db.query("SELECT count(DISTINCT transaction_id) AS n FROM predictions")
            await db.shutdown()
            #expect(Int(try rows.first?.int64("n") ?? 0) == anomalies.count)
        }
    }

    @Test func predictionsAreServedWhileRedisIsDownAndTheCacheResumesAfter() async throws {
        try await withCluster { cluster, model in
            try await cluster.redis.kill()
            let (down, s1) = try await predict(cluster, model.rows[400].transaction)
            #expect(s1 == 200)
            #expect(down["degraded"] as? Bool == true)
            try await cluster.redis.restart()
            var resumed = false
            for attempt in 0..<50 where !resumed {
                let t = model.rows[500 + attempt].transaction
                let (body, status) = try await predict(cluster, t)
                if status == 200, body["degraded"] as? Bool == false {
                    let (again, _) = try await predict(cluster, t)
                    resumed = again["cached"] as? Bool == true
                }
                if !resumed { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(resumed)
        }
    }
}
