import Detection
import Domain
import Foundation
import Stores
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `txad train --feedback DATABASE_URL` against a real PostgreSQL whose alerts were decided through the review API
/// of the running alerts service and gateway.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct FeedbackTrainingTests {
    /// Stores `transaction` as a scored prediction with an alert, as the alerts service's schema defines them.
    private func record(_ transaction: Transaction, channel: String?, in db: PostgresClient) async throws {
        try await db.execute(
            """
            INSERT INTO predictions (transaction_id, user_id, occurred_at, amount, currency, merchant_id,
                merchant_category, channel, latitude, longitude, country, isolation_forest, autoencoder, ensemble,
                is_anomaly, risk_level, model_version, degraded, request_id, scored_at)
            VALUES ($1, $2, to_timestamp($3::bigint / 1000.0), $4, $5, $6, $7, $8, $9, $10, $11, 0.9, 0.9, 0.9, true,
                'high', 'v-e2e', false, 'r', now())
            """,
            [
                PostgresValue(transaction.transactionID), PostgresValue(transaction.userID),
                PostgresValue(transaction.timestampMillis), PostgresValue(transaction.amount),
                PostgresValue(transaction.currency), text(transaction.merchantID), text(transaction.merchantCategory),
                text(channel), number(transaction.latitude), number(transaction.longitude), text(transaction.country),
            ])
        try await db.execute(
            """
            INSERT INTO alerts (transaction_id, risk_level, ensemble, reasons, model_version)
            VALUES ($1, 'high', 0.9, '[]', 'v-e2e')
            """, [PostgresValue(transaction.transactionID)])
    }

    private func text(_ value: String?) -> PostgresValue? { value.map { PostgresValue($0) } }
    private func number(_ value: Double?) -> PostgresValue? { value.map { PostgresValue($0) } }

    /// Decides an alert through `POST /reviews/{id}/decision`.
    private func decide(_ cluster: LocalCluster, alertID: String, fraud: Bool) async throws -> Int {
        var request = URLRequest(url: URL(string: cluster.gatewayURL + "/reviews/\(alertID)/decision")!)
        request.httpMethod = "POST"
        request.setValue("ana", forHTTPHeaderField: "X-Analyst")
        request.setValue("decide-\(alertID)", forHTTPHeaderField: "Idempotency-Key")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data("{\"decision\":\"\(fraud ? "fraud" : "legitimate")\"}".utf8)
        return try await HTTP.send(request).1
    }

    @Test func decidedAlertsTrainTheLabelModelWithTheirStoredTransactions() async throws {
        let root = NSTemporaryDirectory() + "txad-e2e-feedback-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let generated = root + "/all.csv"
        try await TestModel.run(["generate", "--count", "6000", "--users", "60", "--seed", "13", "--out", generated, "--quiet"])
        let reader = try CSVTransactionReader(path: generated)
        var rows: [CSVRow] = []
        while let next = try reader.next() {
            if case .success(let row) = next { rows.append(row) }
        }
        // 30 fraud and 60 legitimate decisions spread over the period; every other one is absent from the
        // training file, so only the predictions table can supply its transaction.
        let fraud = rows.filter { $0.label?.isAnomaly == true }
        let legitimate = rows.filter { $0.label?.isAnomaly == false }
        let decided =
            stride(from: 0, to: fraud.count, by: fraud.count / 30).prefix(30).map { (fraud[$0], true) }
            + stride(from: 0, to: legitimate.count, by: legitimate.count / 60).prefix(60).map { (legitimate[$0], false) }
        let onlyInDatabase = Set(decided.enumerated().filter { $0.offset % 2 == 1 }.map(\.element.0.line))
        let lines = try String(contentsOfFile: generated, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let kept = lines.enumerated().filter { !onlyInDatabase.contains($0.offset + 1) }.map(\.element)
        try kept.joined(separator: "\n").write(toFile: root + "/train.csv", atomically: true, encoding: .utf8)
        let pending = legitimate[legitimate.count - 1].transaction
        var invalid = legitimate[legitimate.count - 2].transaction
        invalid.transactionID = "stored-with-a-bad-channel"

        let cluster = try await LocalCluster(modelDirectory: root + "/no-model")
        let db: PostgresClient
        do {
            db = try PostgresClient(url: cluster.postgres.url)
        } catch {
            await cluster.stop()
            throw error
        }
        var failure: (any Error)?
        do {
            try cluster.startService("alerts")
            try cluster.startService("gateway")
            try await cluster.waitFor(cluster.gatewayURL + "/", service: "gateway")
            try await LocalCluster.waitForReviewSchema(db)
            for (row, _) in decided { try await record(row.transaction, channel: row.transaction.channel?.rawValue, in: db) }
            try await record(pending, channel: pending.channel?.rawValue, in: db)
            try await record(invalid, channel: "teleport", in: db)
            let alertRows = try await db.query("SELECT alert_id::text AS id, transaction_id FROM alerts")
            let ids = Dictionary(
                uniqueKeysWithValues: try alertRows.map { (try $0.string("transaction_id") ?? "", try $0.string("id") ?? "") })
            for (row, isFraud) in decided {
                #expect(try await decide(cluster, alertID: ids[row.transaction.transactionID]!, fraud: isFraud) == 200)
            }
            #expect(try await decide(cluster, alertID: ids[invalid.transactionID]!, fraud: true) == 200)

            let stderr = try await TestModel.run([
                "train", "--data", root + "/train.csv", "--feedback", cluster.postgres.url, "--output",
                root + "/models", "--version", "feedback-1", "--epochs", "2", "--holdout", "0", "--seed", "13",
                "--quiet",
            ])
            #expect(stderr.contains("decided alert skipped: stored-with-a-bad-channel"), "stderr: \(stderr)")
            #expect(!stderr.contains("unknown"), "every decided transaction should join: \(stderr)")
            let bundle = try ModelRegistry(root: root + "/models").loadActive()
            let labels = try #require(bundle.manifest.supervised?.labels)
            #expect(labels.given == 90)  // the pending alert and the invalid stored row are not labels
            #expect(labels.matched == 90)
            #expect(labels.fraud == 30)
            #expect(labels.legitimate == 60)
            #expect(bundle.gradientBoosting != nil)
        } catch {
            failure = error
        }
        await db.shutdown()
        await cluster.stop()
        if let failure { throw failure }
    }
}
