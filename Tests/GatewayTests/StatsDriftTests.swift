import Registry
import Testing
import Wire

@testable import GatewayService

/// `/stats`' `drift`: replicas' bucket counts are summed per version before the PSI is computed, the earliest first
/// observation is `since`, and an entry with the wrong number of buckets is left out.
@Suite struct StatsDriftTests {
    private func drift(_ version: String, _ forest: [UInt64], observed: UInt64, alerts: UInt64, since: Int64)
        -> VersionDrift
    {
        VersionDrift(
            version: version, observed: observed, alerts: alerts, isolationForestBuckets: forest,
            autoencoderBuckets: Array(repeating: observed / 10, count: 10), sinceMillis: since)
    }

    @Test func replicasAreSummedPerVersion() throws {
        let uniform = [UInt64](repeating: 10, count: 10)
        let top = [UInt64](repeating: 0, count: 9) + [100]
        let a = ModelInfoResponse(
            version: "v2", shadowVersion: "v3",
            drift: [
                drift("v2", uniform, observed: 100, alerts: 10, since: 5_000),
                drift("v1", uniform, observed: 100, alerts: 0, since: 1_000),
            ])
        let b = ModelInfoResponse(
            version: "v2",
            drift: [
                drift("v2", top, observed: 100, alerts: 90, since: 3_000),
                drift("v3", [1, 2, 3], observed: 6, alerts: 0, since: 4_000),  // malformed: left out
            ])
        let merged = StatsDrift.merge([a, b])
        #expect(merged.keys.sorted() == ["v1", "v2"])
        let v2 = try #require(merged["v2"])
        #expect(v2.observed == 200 && v2.alerts == 100 && v2.replicas == 2 && v2.sinceMillis == 3_000)
        #expect(v2.isolationForest == [10, 10, 10, 10, 10, 10, 10, 10, 10, 110])
        #expect(v2.alertRate == 0.5)
        // The PSI of the sum, not the mean of the replicas' PSIs.
        let psi = try #require(ScoreDrift.psi(v2.isolationForest))
        let uniformPSI = try #require(ScoreDrift.psi([Int](repeating: 10, count: 10)))
        let topPSI = try #require(ScoreDrift.psi([Int](repeating: 0, count: 9) + [100]))
        let replicaMean = (uniformPSI + topPSI) / 2
        #expect(psi > 0.25 && psi < replicaMean)

        #expect(StatsDrift.role(of: "v2", in: a) == "champion")
        #expect(StatsDrift.role(of: "v3", in: a) == "shadow")
        #expect(StatsDrift.role(of: "v1", in: a) == "retired")
        #expect(StatsDrift.role(of: "v9", in: ModelInfoResponse(version: "v2", canaryVersion: "v9")) == "canary")
    }

    @Test func jsonNamesEveryMember() {
        #expect(StatsDrift.json(answers: [], asked: 2) == "null")
        let json = StatsDrift.json(
            answers: [
                ModelInfoResponse(
                    version: "v1",
                    drift: [drift("v1", [UInt64](repeating: 1, count: 10), observed: 10, alerts: 2, since: 0)])
            ], asked: 2)
        #expect(
            json == "{\"replicas_answered\":1,\"replicas_asked\":2,\"versions\":{\"v1\":{\"role\":\"champion\","
                + "\"observed\":10,\"alerts\":2,\"alert_rate\":0.2,\"psi\":{\"isolation_forest\":0,\"autoencoder\":0},"
                + "\"since\":\"1970-01-01T00:00:00Z\",\"replicas\":1}}}")
        #expect(StatsDrift.json(answers: [ModelInfoResponse(version: "v1")], asked: 1).hasSuffix("\"versions\":{}}"))
    }
}
