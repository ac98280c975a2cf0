import Domain
import Foundation
import Testing

/// `GET /stats` reports each version's score drift, summed over the inference replicas' in-memory counts: after
/// training-like traffic the champion's `drift` entry counts every scored row, and after traffic with shifted
/// amounts its PSI and alert rate rise.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct StatsDriftTests {
    @Test func statsShowsTheChampionsDriftAndItMovesWithTheInputs() async throws {
        let model = try await TestModel.prepared()
        try await LocalCluster.withStarted(modelDirectory: model.modelDirectory, inferenceReplicas: 2) {
            try await check($0, model)
        }
    }

    private func batch(_ cluster: LocalCluster, _ rows: [Transaction]) async throws {
        let body = try JSONSerialization.data(withJSONObject: rows.map(\.json))
        let (data, status) = try await HTTP.post(cluster.gatewayURL + "/predict/batch", body: body)
        try #require(status == 200, "\(String(decoding: data, as: UTF8.self).prefix(400))")
    }

    /// `/stats`' `drift` object.
    private func drift(_ cluster: LocalCluster) async throws -> [String: Any] {
        let (data, status) = try await HTTP.get(cluster.gatewayURL + "/stats")
        try #require(status == 200, "\(String(decoding: data, as: UTF8.self).prefix(400))")
        return try #require(try HTTP.json(data)["drift"] as? [String: Any])
    }

    private func check(_ cluster: LocalCluster, _ model: TestModel.Prepared) async throws {
        let before = try await drift(cluster)
        #expect(before["replicas_asked"] as? Int == 2)
        #expect(before["replicas_answered"] as? Int == 2)
        #expect((before["versions"] as? [String: Any])?.isEmpty == true, "nothing scored yet: \(before)")

        let steady = model.rows[..<3_000].map(\.transaction)
        try await batch(cluster, steady)
        let first = try #require((try await drift(cluster))["versions"] as? [String: [String: Any]])
        let champion = try #require(first["e2e-1"], "\(first)")
        #expect(champion["role"] as? String == "champion")
        #expect(champion["observed"] as? Int == steady.count)
        let since = try #require(champion["since"] as? String)
        #expect(RFC3339.parseMillis(since) != nil, "\(since)")
        let replicas = try #require(champion["replicas"] as? Int)
        #expect((1...2).contains(replicas))
        let steadyPSI = try #require((champion["psi"] as? [String: Double])?["isolation_forest"])
        let steadyAE = try #require((champion["psi"] as? [String: Double])?["autoencoder"])
        let steadyRate = try #require(champion["alert_rate"] as? Double)
        #expect(champion["alerts"] as? Int == Int((steadyRate * Double(steady.count)).rounded()))

        // The next rows of the same users with amounts ×40: far outside what the model was trained on.
        let shifted = model.rows[3_000..<6_000].map { row in
            var t = row.transaction
            t.amount = (t.amount * 40).rounded()
            return t
        }
        try await batch(cluster, shifted)
        let second = try #require((try await drift(cluster))["versions"] as? [String: [String: Any]])
        let moved = try #require(second["e2e-1"])
        #expect(moved["observed"] as? Int == steady.count + shifted.count)
        #expect(moved["since"] as? String == since)
        let shiftedPSI = try #require((moved["psi"] as? [String: Double])?["isolation_forest"])
        let shiftedAE = try #require((moved["psi"] as? [String: Double])?["autoencoder"])
        let shiftedRate = try #require(moved["alert_rate"] as? Double)
        print(
            "drift on /stats: PSI isolation forest \(steadyPSI) → \(shiftedPSI), autoencoder \(steadyAE) → "
                + "\(shiftedAE), alert rate \(steadyRate) → \(shiftedRate)")
        #expect(shiftedPSI > steadyPSI + 0.25)
        #expect(shiftedAE > steadyAE)
        #expect(shiftedRate > steadyRate)
    }
}
