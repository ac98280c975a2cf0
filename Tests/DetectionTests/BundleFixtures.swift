import Domain

@testable import Detection

/// A small trained bundle shared by the bundle, registry and scorer tests (trained once per test run).
enum BundleFixtures {
    /// Generated transactions with labels.
    static let data: GeneratedData = {
        try! TransactionGenerator(configuration: GeneratorConfiguration(count: 4000, users: 40, seed: 5)).generate()
    }()

    /// Fast options: few trees and epochs.
    static let options = TrainingOptions(
        isolationForest: .init(trees: 30), autoencoder: .init(epochs: 3), holdout: 0.3, seed: 9)

    static let source = BundleManifest.TrainingData(
        file: "fixture.csv", sha256: String(repeating: "0", count: 64), rows: 0, badRows: 0, trainingRows: 0,
        holdoutRows: 0, firstTimestamp: nil, lastTimestamp: nil)

    /// The trained outcome (holdout evaluated).
    static let outcome: TrainingPipeline.Outcome = {
        try! TrainingPipeline.fit(
            transactions: data.transactions, labels: data.labels, options: options, version: "fixture-1",
            data: source)
    }()

    /// The bundle with another version name (same models).
    static func bundle(version: String) -> ModelBundle {
        var manifest = outcome.bundle.manifest
        manifest.version = version
        return ModelBundle(
            manifest: manifest, isolationForest: outcome.bundle.isolationForest, autoencoder: outcome.bundle.autoencoder)
    }
}
