import AsyncHTTPClient
import Detection
import Domain
import Foundation
import Testing

@testable import Tracking

/// Training runs logged to a real `mlflow server` and read back through MLflow's own API.
@Suite(.serialized, .enabled(if: MLflowServer.available, "the pinned mlflow venv could not be built"))
struct MLflowTrackingTests {
    /// A small bundle with a holdout evaluation, written to a directory.
    private func bundle() throws -> (ModelBundle, String) {
        let generated = try TransactionGenerator(configuration: .init(count: 2000, users: 20, seed: 3)).generate()
        let data = BundleManifest.TrainingData(
            file: "generated.csv", sha256: String(repeating: "b", count: 64), rows: 0, badRows: 0, trainingRows: 0,
            holdoutRows: 0, firstTimestamp: nil, lastTimestamp: nil)
        let options = TrainingOptions(
            isolationForest: .init(trees: 20), autoencoder: .init(epochs: 2), holdout: 0.3, seed: 3)
        let outcome = try TrainingPipeline.fit(
            transactions: generated.transactions, labels: generated.labels.map { $0 }, options: options,
            version: "mlflow-1", data: data)
        let directory = NSTemporaryDirectory() + "txad-mlflow-bundle-\(UUID().uuidString)/mlflow-1"
        try outcome.bundle.write(to: directory)
        return (outcome.bundle, directory)
    }

    @Test func aTrainingRunIsReadableBackThroughMLflow() async throws {
        let (bundle, directory) = try bundle()
        let server = try await MLflowServer()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let client = try MLflowClient(trackingURI: server.url + "/", http: http)
            let manifest = bundle.manifest
            let logged = try await TrainingTracking.log(
                bundleDirectory: directory, manifest: manifest, client: client, experiment: "txad-tests",
                txadVersion: "test")
            // A second run lands in the same experiment (found by name, not created again).
            let again = try await TrainingTracking.log(
                bundleDirectory: directory, manifest: manifest, client: client, experiment: "txad-tests",
                txadVersion: "test")
            #expect(again.experimentID == logged.experimentID && again.runID != logged.runID)

            let run = try await client.run(id: logged.runID)
            #expect(run.status == "FINISHED")
            #expect(run.params["isolation_forest.trees"] == "20")
            #expect(run.params["seed"] == "3")
            #expect(run.tags["txad.data_sha256"] == manifest.trainingData.sha256)
            #expect(run.tags["txad.bundle_version"] == "mlflow-1" && run.tags["txad.version"] == "test")
            let evaluation = try #require(manifest.evaluation?["ensemble"])
            let roc = try #require(evaluation.rocAUC)
            let loss = try #require(manifest.autoencoderHistory.trainingLoss.last)
            // MLflow keeps doubles; allow for a last-digit difference in its JSON.
            #expect(abs((run.metrics["holdout.ensemble.roc_auc"] ?? 0) - roc) <= 1e-12)
            #expect(abs((run.metrics["autoencoder.training_loss"] ?? 0) - loss) <= 1e-12)
            for file in try TrainingTracking.files(in: directory) {
                let stored = try await client.downloadArtifact(path: "bundle/" + file, run: run)
                #expect(stored == Array(FileManager.default.contents(atPath: directory + "/" + file) ?? Data()), "\(file)")
            }
        } catch {
            try? await http.shutdown()
            server.stop()
            throw error
        }
        try await http.shutdown()
        server.stop()
    }

    @Test func anUnreachableServerIsAnErrorThatSaysSo() async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = try MLflowClient(trackingURI: "http://127.0.0.1:1", http: http, timeout: .seconds(5))
        await #expect {
            _ = try await client.experimentID(named: "txad")
        } throws: { error in
            (error as? MLflowError)?.code == .unreachable
        }
        #expect(throws: MLflowError.self) { _ = try MLflowClient(trackingURI: "ftp://x", http: http) }
        try await http.shutdown()
    }
}
