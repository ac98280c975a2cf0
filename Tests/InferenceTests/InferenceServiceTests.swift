import Detection
import Domain
import Foundation
import InferenceService
import Logging
import Testing
import Wire

/// Tiny bundles trained in-process once per test process, and the feature vectors of the data they were trained on.
enum TrainedModels {
    struct Prepared: Sendable {
        /// Two good bundles with different seeds (versions `v1` and `v2`).
        var first: ModelBundle
        var second: ModelBundle
        /// A bundle trained with analysts' labels on every third row (version `v3-labelled`).
        var labelled: ModelBundle
        /// Feature vectors of the generated transactions as preprocessing would send them.
        var vectors: [FeatureVector]
    }

    static func prepared() async throws -> Prepared { try await shared.value }

    private static func train(
        _ version: String, seed: UInt64, transactions: [Transaction], labels: [AnomalyLabel?],
        reviewLabels: ReviewLabels? = nil
    ) throws(DetectionError) -> ModelBundle {
        // Few trees and epochs: the suite runs on debug builds; model quality is the detection suite's business.
        let options = TrainingOptions(
            isolationForest: .init(trees: 20), autoencoder: .init(epochs: 2), holdout: 0, seed: seed)
        let data = BundleManifest.TrainingData(
            file: "generated", sha256: "", rows: 0, badRows: 0, trainingRows: 0, holdoutRows: 0,
            firstTimestamp: nil, lastTimestamp: nil)
        return try TrainingPipeline.fit(
            transactions: transactions, labels: labels, options: options, version: version, data: data,
            reviewLabels: reviewLabels
        ).bundle
    }

    private static let shared = Task<Prepared, any Error> {
        let generated = try TransactionGenerator(configuration: .init(count: 3000, users: 30, seed: 1)).generate()
        let transactions = generated.transactions
        let labels: [AnomalyLabel?] = generated.labels.map { $0 }
        let first = try train("v1", seed: 1, transactions: transactions, labels: labels)
        let second = try train("v2", seed: 2, transactions: transactions, labels: labels)
        var reviewLabels = ReviewLabels()
        for i in stride(from: 0, to: transactions.count, by: 3) {
            reviewLabels.set(transactions[i].transactionID, fraud: labels[i]?.isAnomaly == true)
        }
        let labelled = try train(
            "v3-labelled", seed: 3, transactions: transactions, labels: labels, reviewLabels: reviewLabels)
        let replay = FeatureReplay(priors: first.manifest.featurePriors)
            .run(transactions, options: .init(keepRaw: true))
        let schemaVersion = first.manifest.featureSchema.version
        let vectors = transactions.indices.map { i in
            FeatureVector(
                transactionID: transactions[i].transactionID, schemaVersion: schemaVersion,
                values: replay.matrix[row: i].map(Double.init), rawValues: replay.raw[i].values, degraded: false)
        }
        return Prepared(first: first, second: second, labelled: labelled, vectors: vectors)
    }
}

/// A model directory in a fresh temp directory, removed by ``remove()``.
struct ModelDirectory {
    let root: String
    var registry: ModelRegistry { ModelRegistry(root: root) }

    init() throws {
        root = NSTemporaryDirectory() + "txad-inference-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// Writes `bundle` as its version and, when asked, makes it active.
    func add(_ bundle: ModelBundle, promote: Bool) throws {
        try bundle.write(to: registry.directory(of: bundle.version))
        if promote { try registry.promote(bundle.version) }
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// The inference service behind a real server and client, loading real bundles from disk.
@Suite(.timeLimit(.minutes(5)))
struct InferenceServiceTests {
    private static let logger = Logger(label: "test.inference")

    /// Runs an inference server over `models` on a free port, wired to its health status as `txad-inference` does.
    private static func withService(
        _ models: ModelDirectory,
        _ body: (InferenceService, InferenceClient, HealthClient) async throws -> Void
    ) async throws {
        let health = HealthHolder()
        let service = InferenceService(modelDirectory: models.root, logger: logger) { health.set($0) }
        let server = RPCServer(configuration: .init(host: "127.0.0.1", port: 0), services: [service], logger: logger)
        let address = try await server.listen()
        health.attach(server)
        service.announce()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let rpc = RPCClient(
                configuration: .init(
                    targets: [.init(host: "127.0.0.1", port: address.port ?? 0)], defaultDeadline: .seconds(60)))
            do {
                try await body(service, InferenceClient(wrapping: rpc), HealthClient(wrapping: rpc))
            } catch {
                await rpc.close()
                group.cancelAll()
                throw error
            }
            await rpc.close()
            group.cancelAll()
        }
    }

    private static func status(_ health: HealthClient) async throws -> ServingStatus {
        try await health.check(HealthCheckRequest(service: Inference.serviceName)).status
    }

    /// Expects `call` to fail with `code`; returns the error's message.
    private static func expectFailure(
        _ code: RPCStatusCode, sourceLocation: SourceLocation = #_sourceLocation,
        _ call: () async throws -> Void
    ) async -> String {
        do {
            try await call()
            Issue.record("expected \(code), the call succeeded", sourceLocation: sourceLocation)
        } catch let error as RPCError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            return error.message
        } catch {
            Issue.record("expected an RPCError \(code), got \(error)", sourceLocation: sourceLocation)
        }
        return ""
    }

    @Test func scoresOverFramesEqualTheLocalScorer() async throws {
        let trained = try await TrainedModels.prepared()
        let models = try ModelDirectory()
        defer { models.remove() }
        try models.add(trained.first, promote: true)
        let local = AnomalyScorer(bundle: try models.registry.loadActive())
        try await Self.withService(models) { service, inference, health in
            #expect(service.modelVersion == "v1")
            #expect(try await Self.status(health) == .serving)
            // A single vector, and batches of several sizes covering every row.
            let single = try await inference.score(ScoreRequest(vectors: [trained.vectors[0]])).scores
            #expect(single == (try local.score([trained.vectors[0]])))
            var remote: [Score] = []
            for start in stride(from: 0, to: trained.vectors.count, by: 700) {
                let batch = Array(trained.vectors[start..<min(start + 700, trained.vectors.count)])
                remote += try await inference.score(ScoreRequest(vectors: batch)).scores
            }
            let expected = try local.score(trained.vectors)
            #expect(remote.count == expected.count)
            let mismatches = zip(remote, expected).filter { $0 != $1 }.count
            #expect(mismatches == 0, "\(mismatches) of \(expected.count) scores differ from the local scorer")
            #expect(remote.map(\.transactionID) == trained.vectors.map(\.transactionID))
            #expect(remote.allSatisfy { $0.modelVersion == "v1" })
            // The data holds anomalies, so some scores come with reasons: they must survive the trip too.
            #expect(remote.contains { !$0.reasons.isEmpty })
        }
    }

    @Test func aLabelledBundleSendsItsSupervisedScoreAndBlendThreshold() async throws {
        let trained = try await TrainedModels.prepared()
        let models = try ModelDirectory()
        defer { models.remove() }
        try models.add(trained.labelled, promote: true)
        let local = AnomalyScorer(bundle: try models.registry.loadActive())
        let blend = try #require(trained.labelled.manifest.supervised)
        try await Self.withService(models) { _, inference, _ in
            let probe = Array(trained.vectors.prefix(300))
            let remote = try await inference.score(ScoreRequest(vectors: probe)).scores
            #expect(remote == (try local.score(probe)))
            #expect(remote.allSatisfy { ($0.supervised ?? -1) >= 0 && ($0.supervised ?? 2) <= 1 })
            // The final score is the blend, not the unsupervised average.
            #expect(remote.contains { abs($0.ensemble - ($0.isolationForest + $0.autoencoder) / 2) > 1e-6 })
            let info = try await inference.modelInfo()
            #expect(info.threshold == blend.anomalyThreshold)
            #expect(info.threshold != trained.labelled.manifest.ensemble.anomalyThreshold)
        }
        // An unlabelled bundle sends none.
        try models.add(trained.first, promote: true)
        try await Self.withService(models) { _, inference, _ in
            let remote = try await inference.score(ScoreRequest(vectors: Array(trained.vectors.prefix(50)))).scores
            #expect(remote.allSatisfy { $0.supervised == nil })
        }
    }

    @Test func withoutAModelScoreFailsAndHealthIsNotServing() async throws {
        let trained = try await TrainedModels.prepared()
        let models = try ModelDirectory()
        defer { models.remove() }
        try await Self.withService(models) { service, inference, health in
            #expect(service.modelVersion == nil)
            #expect(try await Self.status(health) == .notServing)
            let message = await Self.expectFailure(.failedPrecondition) {
                _ = try await inference.score(ScoreRequest(vectors: [trained.vectors[0]]))
            }
            #expect(message.contains("no model"))
            _ = await Self.expectFailure(.failedPrecondition) { _ = try await inference.modelInfo() }
            // Reload with nothing promoted keeps it down; after a promotion it serves.
            _ = await Self.expectFailure(.failedPrecondition) { _ = try await inference.reload(ReloadRequest()) }
            #expect(try await Self.status(health) == .notServing)
            try models.add(trained.first, promote: true)
            let reloaded = try await inference.reload(ReloadRequest())
            #expect(reloaded.previousVersion == "")
            #expect(reloaded.version == "v1")
            #expect(try await Self.status(health) == .serving)
            #expect(try await inference.score(ScoreRequest(vectors: [trained.vectors[0]])).scores.count == 1)
        }
    }

    @Test func modelInfoDescribesTheBundleInService() async throws {
        let trained = try await TrainedModels.prepared()
        let models = try ModelDirectory()
        defer { models.remove() }
        try models.add(trained.first, promote: true)
        try await Self.withService(models) { _, inference, _ in
            let info = try await inference.modelInfo()
            let manifest = trained.first.manifest
            #expect(info.version == "v1")
            #expect(info.created == manifest.created)
            #expect(info.featureSchemaVersion == FeatureSchema.current.version)
            #expect(info.featureNames == FeatureSchema.current.names)
            #expect(info.threshold == manifest.ensemble.anomalyThreshold)
            #expect(info.threshold > 0 && info.threshold < 1)
            #expect(info.weightIsolationForest + info.weightAutoencoder > 0)
            let json = try JSONSerialization.jsonObject(with: Data(info.manifestJSON.utf8)) as? [String: Any]
            #expect(json?["version"] as? String == "v1")
        }
    }

    @Test func reloadSwapsToAGoodVersionAndRefusesACorruptOne() async throws {
        let trained = try await TrainedModels.prepared()
        let models = try ModelDirectory()
        defer { models.remove() }
        try models.add(trained.first, promote: true)
        try models.add(trained.second, promote: false)
        let probe = Array(trained.vectors.prefix(50))
        try await Self.withService(models) { service, inference, health in
            let swapped = try await inference.reload(ReloadRequest(version: "v2"))
            #expect(swapped.previousVersion == "v1")
            #expect(swapped.version == "v2")
            #expect(try await inference.modelInfo().version == "v2")
            let expected = try AnomalyScorer(bundle: trained.second).score(probe)
            #expect(try await inference.score(ScoreRequest(vectors: probe)).scores == expected)

            // A third bundle whose forest file is cut short.
            let corrupt = models.registry.directory(of: "v3")
            try FileManager.default.copyItem(atPath: models.registry.directory(of: "v1"), toPath: corrupt)
            let forest = corrupt + "/" + ModelBundle.isolationForestFile
            let bytes = try #require(FileManager.default.contents(atPath: forest))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: forest))
            let message = await Self.expectFailure(.failedPrecondition) {
                _ = try await inference.reload(ReloadRequest(version: "v3"))
            }
            #expect(message.contains("v2 stays in service"), "\(message)")
            #expect(message.contains(ModelBundle.isolationForestFile), "\(message)")
            #expect(service.modelVersion == "v2")
            #expect(try await inference.modelInfo().version == "v2")
            #expect(try await inference.score(ScoreRequest(vectors: probe)).scores == expected)
            #expect(try await Self.status(health) == .serving)

            // A version that is not a directory name is refused as an argument error.
            _ = await Self.expectFailure(.invalidArgument) {
                _ = try await inference.reload(ReloadRequest(version: "../v1"))
            }
            #expect(try await inference.modelInfo().version == "v2")
        }
    }

    @Test func badVectorsAreRefusedNamingTheTransaction() async throws {
        let trained = try await TrainedModels.prepared()
        let models = try ModelDirectory()
        defer { models.remove() }
        try models.add(trained.first, promote: true)
        try await Self.withService(models) { _, inference, _ in
            var wrongSchema = trained.vectors[3]
            wrongSchema.schemaVersion += 1
            let schemaMessage = await Self.expectFailure(.failedPrecondition) {
                _ = try await inference.score(ScoreRequest(vectors: [trained.vectors[0], wrongSchema]))
            }
            #expect(schemaMessage.contains(wrongSchema.transactionID), "\(schemaMessage)")

            var wrongWidth = trained.vectors[4]
            wrongWidth.values.removeLast()
            let widthMessage = await Self.expectFailure(.failedPrecondition) {
                _ = try await inference.score(ScoreRequest(vectors: [wrongWidth]))
            }
            #expect(widthMessage.contains(wrongWidth.transactionID), "\(widthMessage)")

            var notANumber = trained.vectors[5]
            notANumber.values[2] = .nan
            let nanMessage = await Self.expectFailure(.invalidArgument) {
                _ = try await inference.score(ScoreRequest(vectors: [trained.vectors[0], notANumber]))
            }
            #expect(nanMessage.contains(notANumber.transactionID), "\(nanMessage)")
            #expect(nanMessage.contains(FeatureSchema.current.names[2]), "\(nanMessage)")

            // The service keeps serving good vectors afterwards.
            let scores = try await inference.score(ScoreRequest(vectors: [trained.vectors[0]])).scores
            #expect(scores.count == 1)
        }
    }
}
