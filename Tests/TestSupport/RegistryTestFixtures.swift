import Detection
import Domain
import EmbeddedStores
import Foundation
import Logging
import Registry
import Stores

/// Tiny bundles trained once per test process, written to directories, and isolated registry schemas.
public enum RegistryTestFixtures {
    public static let logger = Logger(label: "txad.registry-tests")

    /// Two good bundle directories (`v1`, `v2`) and the feature vectors of their training data.
    public struct Bundles: Sendable {
        public var root: String
        public var first: ModelBundle
        public var second: ModelBundle
        /// With user ids, so canary routing can use them.
        public var vectors: [FeatureVector]

        /// The directory of bundle `version`.
        public func directory(_ version: String) -> String { root + "/" + version }
    }

    /// The shared bundles (trained on first use).
    public static func bundles() async throws -> Bundles { try await shared.value }

    private static let shared = Task<Bundles, any Error> {
        let generated = try TransactionGenerator(configuration: .init(count: 3000, users: 30, seed: 1)).generate()
        let labels: [AnomalyLabel?] = generated.labels.map { $0 }
        let data = BundleManifest.TrainingData(
            file: "generated", sha256: String(repeating: "a", count: 64), rows: 0, badRows: 0, trainingRows: 0,
            holdoutRows: 0, firstTimestamp: nil, lastTimestamp: nil)
        func train(_ version: String, seed: UInt64) throws(DetectionError) -> ModelBundle {
            let options = TrainingOptions(
                isolationForest: .init(trees: 20), autoencoder: .init(epochs: 2), holdout: 0, seed: seed)
            let outcome = try TrainingPipeline.fit(
                transactions: generated.transactions, labels: labels, options: options, version: version, data: data)
            return outcome.bundle
        }
        let root = NSTemporaryDirectory() + "txad.registry-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let first = try train("v1", seed: 1)
        let second = try train("v2", seed: 2)
        try first.write(to: root + "/v1")
        try second.write(to: root + "/v2")
        let replay = FeatureReplay(priors: first.manifest.featurePriors)
            .run(generated.transactions, options: .init(keepRaw: true))
        let vectors = generated.transactions.indices.map { i in
            FeatureVector(
                transactionID: generated.transactions[i].transactionID,
                schemaVersion: first.manifest.featureSchema.version,
                values: replay.matrix[row: i].map(Double.init), rawValues: replay.raw[i].values, degraded: false,
                userID: generated.transactions[i].userID)
        }
        return Bundles(root: root, first: first, second: second, vectors: vectors)
    }

    /// A copy of bundle directory `source` under version `version` (manifest rewritten, models the same).
    public static func copy(_ bundle: ModelBundle, as version: String, into root: String) throws -> String {
        var manifest = bundle.manifest
        manifest.version = version
        let directory = root + "/" + version
        try ModelBundle(manifest: manifest, isolationForest: bundle.isolationForest, autoencoder: bundle.autoencoder)
            .write(to: directory)
        return directory
    }

    /// Runs `body` with the URL of a fresh schema holding the registry tables, dropped afterwards.
    public static func withRegistryDatabase<T>(_ body: (String) async throws -> T) async throws -> T {
        let url = try await TestStores.postgresURL()
        let schema = "reg_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = try PostgresClient(url: url, logger: logger)
        try await admin.execute("CREATE SCHEMA \(schema)")
        let isolated = url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        let client = try PostgresClient(url: isolated, logger: logger)
        do {
            try await PostgresMigrator(client: client, migrations: RegistrySchema.migrations, logger: logger).migrate()
            await client.shutdown()
            let result = try await body(isolated)
            try await admin.execute("DROP SCHEMA \(schema) CASCADE")
            await admin.shutdown()
            return result
        } catch {
            await client.shutdown()
            _ = try? await admin.execute("DROP SCHEMA \(schema) CASCADE")
            await admin.shutdown()
            throw error
        }
    }

    /// Runs `body` with a registry over a fresh schema.
    public static func withRegistry<T>(_ body: (BundleRegistry, PostgresClient, String) async throws -> T) async throws -> T {
        try await withRegistryDatabase { url in
            let client = try PostgresClient(url: url, logger: logger)
            do {
                let result = try await body(BundleRegistry(client: client), client, url)
                await client.shutdown()
                return result
            } catch {
                await client.shutdown()
                throw error
            }
        }
    }
}
