import AsyncHTTPClient
import Detection
import Foundation
import Registry
import Stores
import TestSupport
import Testing

@testable import Tracking

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `txad train --mlflow-uri` as a user runs it: the spawned executable logs its run to a real `mlflow server`, which
/// is read back through MLflow's REST API, and registers the version with the run id in the PostgreSQL registry;
/// with MLflow unreachable the training still finishes and says so.
@Suite(.serialized, .enabled(if: MLflowServer.available, "the pinned mlflow venv could not be built"))
struct TrainCommandTrackingTests {
    /// A generated training file in a fresh directory.
    private func data() async throws -> (root: String, file: String) {
        let root = NSTemporaryDirectory() + "txad-train-mlflow-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let file = root + "/train.csv"
        try await Command.txad([
            "generate", "--count", "2000", "--users", "20", "--seed", "5", "--out", file, "--quiet",
        ])
        return (root, file)
    }

    private func train(_ data: (root: String, file: String), version: String, extra: [String]) async throws
        -> Command.Result
    {
        try await Command.txad(
            [
                "train", "--data", data.file, "--output", data.root + "/models", "--version", version, "--epochs", "2",
                "--holdout", "0.3", "--seed", "5", "--quiet", "--no-activate",
            ] + extra,
            environment: [
                "TXAD_VERSION": "cli-test", "MLFLOW_TRACKING_URI": nil, "MLFLOW_EXPERIMENT_NAME": nil,
                "DATABASE_URL": nil,
            ])
    }

    @Test func trainLogsItsRunAndRegistersTheVersionWithTheRunID() async throws {
        let data = try await data()
        defer { try? FileManager.default.removeItem(atPath: data.root) }
        let server = try await MLflowServer()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await RegistryTestFixtures.withRegistry { registry, _, registryURL in
                let result = try await train(
                    data, version: "cli-1",
                    extra: [
                        "--mlflow-uri", server.url, "--mlflow-experiment", "txad-cli", "--register-database-url",
                        registryURL, "--as", "alice",
                    ])
                // "MLflow: run <id> in experiment 'txad-cli' at <url> (…)"
                let line = try #require(
                    result.output.split(separator: "\n").first { $0.hasPrefix("MLflow: run ") }, "\(result.output)")
                let runID = String(line.dropFirst("MLflow: run ".count).prefix { $0 != " " })
                #expect(line.contains("in experiment 'txad-cli'"))
                #expect(result.output.contains("registered cli-1 as candidate (MLflow run \(runID))"))
                #expect(try await registry.show("cli-1").mlflowRunID == runID)
                #expect(try await registry.show("cli-1").registeredBy == "alice")

                let directory = data.root + "/models/cli-1"
                let manifest = try ModelBundle.load(from: directory).manifest
                // MLflow's own REST answer for the run, read without txad's client.
                let raw = try await Self.get(server.url + "/api/2.0/mlflow/runs/get?run_id=" + runID)
                let run = try #require(raw["run"] as? [String: Any])
                let info = try #require(run["info"] as? [String: Any])
                #expect(info["status"] as? String == "FINISHED")
                let runData = try #require(run["data"] as? [String: Any])
                func table(_ key: String) -> [String: Any] {
                    let entries = runData[key] as? [[String: Any]] ?? []
                    return Dictionary(
                        entries.compactMap { entry in (entry["key"] as? String).map { ($0, entry["value"] ?? "") } },
                        uniquingKeysWith: { first, _ in first })
                }
                let tags = table("tags")
                #expect(tags["txad.bundle_version"] as? String == "cli-1")
                #expect(tags["txad.version"] as? String == "cli-test")
                #expect(tags["txad.data_sha256"] as? String == manifest.trainingData.sha256)
                #expect(table("params")["seed"] as? String == "5")
                let roc = try #require(manifest.evaluation?["ensemble"]?.rocAUC)
                let logged = try #require(table("metrics")["holdout.ensemble.roc_auc"] as? Double)
                #expect(abs(logged - roc) <= 1e-12)
                let experiment = try await Self.get(
                    server.url + "/api/2.0/mlflow/experiments/get-by-name?experiment_name=txad-cli")
                let experimentID = (experiment["experiment"] as? [String: Any])?["experiment_id"] as? String
                #expect(experimentID != nil && experimentID == info["experiment_id"] as? String)

                // The bundle's files as artifacts, byte for byte.
                let client = try MLflowClient(trackingURI: server.url, http: http)
                let stored = try await client.run(id: runID)
                for file in try TrainingTracking.files(in: directory) {
                    let bytes = try await client.downloadArtifact(path: "bundle/" + file, run: stored)
                    #expect(
                        bytes == Array(FileManager.default.contents(atPath: directory + "/" + file) ?? Data()),
                        "\(file)")
                }
            }
        } catch {
            try? await http.shutdown()
            server.stop()
            throw error
        }
        try await http.shutdown()
        server.stop()
    }

    @Test func trainFinishesWhenMLflowIsUnreachable() async throws {
        let data = try await data()
        defer { try? FileManager.default.removeItem(atPath: data.root) }
        let result = try await train(data, version: "cli-2", extra: ["--mlflow-uri", "http://127.0.0.1:1"])
        #expect(result.status == 0)
        #expect(result.errors.contains("warning: MLflow tracking failed, the bundle is trained but not logged"))
        #expect(!result.output.contains("MLflow: run"))
        #expect(FileManager.default.fileExists(atPath: data.root + "/models/cli-2/manifest.json"))
    }

    /// A GET against the server's REST API, as JSON.
    private static func get(_ url: String) async throws -> [String: Any] {
        let (body, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        try #require((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: body, as: UTF8.self))")
        return try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
    }
}
