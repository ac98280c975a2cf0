import Detection
import Foundation
import Registry
import Stores

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

extension DefaultModel {
    /// Makes the active bundle of `directory` the champion of the registry at `databaseURL` when the registry has
    /// none, so a fresh cluster's inference replicas serve from the registry. The alerts service must have applied
    /// its migrations (it is ready). As a bootstrap of the local cluster it approves its own registration (recorded
    /// in the audit trail as `txad-up`); a registry that already has a champion is left alone. Failures are
    /// warnings: the replicas then serve the directory's bundle, as before.
    static func ensureChampion(in directory: String, databaseURL url: String) async {
        func say(_ text: String) { FileHandle.standardError.write(Data("  registry: \(text)\n".utf8)) }
        do {
            guard let version = try ModelRegistry(root: directory).activeVersion() else { return }
            let client = try PostgresClient(url: url)
            defer { Task { await client.shutdown() } }
            let registry = BundleRegistry(client: client)
            // The alerts service reports ready before its migrations have necessarily run: wait for the tables.
            var attempts = 0
            while true {
                do {
                    say(try await makeChampion(version, in: directory, registry: registry))
                    return
                } catch let error as RegistryError where error.code == .unavailable && attempts < 60 {
                    attempts += 1
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
        } catch {
            say("could not register the default model (replicas serve it from \(directory)): \(error)")
        }
    }

    private static func makeChampion(_ version: String, in directory: String, registry: BundleRegistry)
        async throws -> String
    {
        let records = try await registry.list()
        if let champion = records.first(where: { $0.stage == .champion }) { return "champion \(champion.version)" }
        let actor = "txad-up"
        if !records.contains(where: { $0.version == version }) {
            try await registry.register(directory: directory + "/" + version, by: actor)
        }
        if records.first(where: { $0.version == version })?.approvedBy == nil {
            try await registry.approve(version, by: actor, selfApprovalPermitted: true)
        }
        try await registry.promote(version, to: .champion, by: actor)
        return "\(version) registered and champion (self-approved by txad-up for the local cluster)"
    }
}
