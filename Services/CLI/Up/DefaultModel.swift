import Detection
import Foundation

/// The model `txad up` starts with: trained once on generated data, then reused.
enum DefaultModel {
    /// Trains and activates a default model in `directory` unless it already has an active one.
    static func ensureActiveModel(in directory: String, workDirectory: String, rows: Int) async throws {
        let registry = ModelRegistry(root: directory)
        if let version = try registry.activeVersion() {
            FileHandle.standardError.write(Data("  model: \(version) (active in \(directory))\n".utf8))
            return
        }
        FileHandle.standardError.write(
            Data("  model: none yet — generating \(formatCount(rows)) transactions and training a default model\n".utf8))
        let data = workDirectory + "/default-training-data.csv"
        let configuration = GeneratorConfiguration(count: rows, seed: 2024)
        let generated = try TransactionGenerator(configuration: configuration).generate()
        let bar = ProgressBar(label: "writing data", total: generated.count)
        let writer = try CSVWriter(path: data)
        try generated.write(to: writer) { done, total in bar.update(done, total: total) }
        try writer.close()
        bar.finish(generated.count)
        let bars = StageProgressBars(quiet: false)
        let outcome = try TrainingPipeline.run(
            dataFile: data, modelsDirectory: directory, version: "default-" + TrainingPipeline.defaultVersion(),
            options: TrainingOptions(holdout: 0.3, seed: 2024)
        ) { stage, done, total in bars.update(stage, done, total) }
        bars.finish()
        FileHandle.standardError.write(Data("  model: \(outcome.bundle.version) trained and active\n".utf8))
    }
}
