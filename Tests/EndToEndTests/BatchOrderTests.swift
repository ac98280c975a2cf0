import Foundation
import Testing

/// One user's rows inside a large `/predict/batch` are scored in arrival order (the gateway keeps a user's rows in
/// one lane), so a batch scores exactly what sending the same rows one by one, in order, scores.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct BatchOrderTests {
    @Test func aBatchScoresWhatTheSameRowsSentOneByOneScore() async throws {
        let model = try await TestModel.prepared()
        // Chunks of 20: the 600-row batch becomes about 30 concurrent lanes, most users' rows several chunks apart.
        try await LocalCluster.withStarted(
            modelDirectory: model.modelDirectory, environment: ["TXAD_CHUNK_SIZE": "20"]
        ) { try await check($0, model) }
    }

    private func check(_ cluster: LocalCluster, _ model: TestModel.Prepared) async throws {
        let rows = Array(model.rows.prefix(600)).map(\.transaction)
        let perUser = Dictionary(grouping: rows, by: \.userID).mapValues(\.count)
        try #require(perUser.values.contains { $0 >= 5 }, "users with several rows in the batch")

        let (data, status) = try await HTTP.post(
            cluster.gatewayURL + "/predict/batch", body: try JSONSerialization.data(withJSONObject: rows.map(\.json)))
        try #require(status == 200, "\(String(decoding: data, as: UTF8.self).prefix(500))")
        let results = try #require(try HTTP.json(data)["results"] as? [[String: Any]])
        try #require(results.count == rows.count)
        var batch: [String: Double] = [:]
        for result in results {
            let id = try #require(result["transaction_id"] as? String)
            batch[id] = try #require((result["scores"] as? [String: Any])?["ensemble"] as? Double)
        }

        // The same rows one by one, in order, as other users (fresh history) under other ids (not cached).
        var mismatches: [String] = []
        for row in rows {
            var single = row
            single.transactionID = "solo-" + row.transactionID
            single.userID = "solo-" + row.userID
            let (body, code) = try await HTTP.post(cluster.gatewayURL + "/predict", body: single.jsonData)
            try #require(code == 200, "\(String(decoding: body, as: UTF8.self))")
            let score = try #require((try HTTP.json(body)["scores"] as? [String: Any])?["ensemble"] as? Double)
            if batch[row.transactionID] != score {
                mismatches.append(
                    "\(row.transactionID) (\(row.userID)): batch \(batch[row.transactionID] ?? -1), one by one \(score)"
                )
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(rows.count) differ: \(mismatches.prefix(5))")
    }
}
