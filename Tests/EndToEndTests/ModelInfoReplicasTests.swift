import Detection
import Foundation
import Registry
import Stores
import Testing

/// `GET /models/info` with two real inference replicas: `replicas` shows what each one serves, a bundle both refused
/// (its stored bytes damaged) is listed on each while the old champion keeps serving, and a replica that is down
/// is named with its error while the answer still comes from the other.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ModelInfoReplicasTests {
    @Test func modelsInfoShowsEveryReplica() async throws {
        let model = try await TestModel.prepared()
        try await LocalCluster.withStarted(modelDirectory: model.modelDirectory, inferenceReplicas: 2) {
            try await check($0, model)
        }
    }

    private func info(_ cluster: LocalCluster) async throws -> (top: [String: Any], replicas: [[String: Any]]) {
        let (data, status) = try await HTTP.get(cluster.gatewayURL + "/models/info")
        try #require(status == 200, "\(String(decoding: data, as: UTF8.self))")
        let top = try HTTP.json(data)
        return (top, try #require(top["replicas"] as? [[String: Any]]))
    }

    /// Polls `/models/info` until `condition` holds for its replicas (replicas switch within 2 s of a change).
    private func waitFor(
        _ cluster: LocalCluster, _ what: String, _ condition: ([[String: Any]]) -> Bool
    ) async throws -> [[String: Any]] {
        var last: [[String: Any]] = []
        for _ in 0..<300 {
            last = try await info(cluster).replicas
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(what) did not happen within 30 s; replicas: \(last)")
        return last
    }

    private func check(_ cluster: LocalCluster, _ model: TestModel.Prepared) async throws {
        let expected = cluster.inferenceNames.map { "127.0.0.1:\(cluster.ports[$0]!.port)" }
        let first = try await info(cluster).replicas
        #expect(first.compactMap { $0["address"] as? String } == expected)
        #expect(first.allSatisfy { $0["version"] as? String == "e2e-1" })

        // The directory bundle becomes the registry's champion; then a second version whose stored bytes are damaged.
        let db = try PostgresClient(url: cluster.postgres.url)
        defer { Task { await db.shutdown() } }
        let registry = BundleRegistry(client: db)
        _ = try await registry.register(directory: model.modelDirectory + "/e2e-1", by: "alice")
        _ = try await registry.approve("e2e-1", by: "bob")
        _ = try await registry.promote("e2e-1", to: .champion, by: "bob")
        _ = try await waitFor(cluster, "both replicas serving e2e-1 from the registry") { replicas in
            replicas.count == 2
                && replicas.allSatisfy { $0["version"] as? String == "e2e-1" && $0["source"] as? String == "registry" }
        }
        let bundle = try ModelBundle.load(from: model.modelDirectory + "/e2e-1")
        var manifest = bundle.manifest
        manifest.version = "e2e-2"
        let copy = cluster.root + "/e2e-2"
        try ModelBundle(manifest: manifest, isolationForest: bundle.isolationForest, autoencoder: bundle.autoencoder)
            .write(to: copy)
        _ = try await registry.register(directory: copy, by: "alice")
        _ = try await db.execute(
            "UPDATE model_versions SET bundle = overlay(bundle placing '\\x00'::bytea from 300) WHERE version = 'e2e-2'"
        )
        _ = try await registry.approve("e2e-2", by: "bob")
        _ = try await registry.promote("e2e-2", to: .champion, by: "bob")
        let refused = try await waitFor(cluster, "both replicas refusing e2e-2") { replicas in
            replicas.allSatisfy { ($0["refused"] as? [String])?.contains { $0.hasPrefix("e2e-2: ") } == true }
        }
        #expect(
            refused.allSatisfy { $0["version"] as? String == "e2e-1" }, "the old champion keeps serving: \(refused)")
        let (top, _) = try await info(cluster)
        #expect(top["version"] as? String == "e2e-1")
        // Each refusal names the version and why (here the checksum of the damaged bytes).
        #expect((top["refused"] as? [String])?.count == 1)
        #expect((top["refused"] as? [String])?.first?.hasPrefix("e2e-2: stored bundle e2e-2 does not match") == true)

        // One replica down: still 200, the other answers, the dead one is named with its error.
        await cluster.kill("inference-2")
        let (afterKill, replicas) = try await info(cluster)
        #expect(afterKill["version"] as? String == "e2e-1")
        #expect(replicas.count == 2)
        #expect(replicas.first?["version"] as? String == "e2e-1")
        #expect(replicas.last?["address"] as? String == expected.last)
        #expect(replicas.last?["version"] is NSNull)
        #expect((replicas.last?["error"] as? String)?.isEmpty == false, "\(replicas)")
    }
}
