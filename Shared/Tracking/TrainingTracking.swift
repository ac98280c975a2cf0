import Detection
import Foundation

/// One training run of txad as an MLflow run: the bundle's parameters as params, its holdout evaluation (per model)
/// and the autoencoder's loss per epoch as metrics, the training-data digest and txad version as tags, and the
/// bundle's files as artifacts under `bundle/`.
public enum TrainingTracking {
    /// Logs the bundle in `directory` to experiment `experiment`; returns the finished run.
    ///
    /// A run that fails half-way is marked `FAILED` (best effort) before the error is thrown.
    public static func log(
        bundleDirectory directory: String, manifest: BundleManifest, client: MLflowClient, experiment: String,
        txadVersion: String
    ) async throws(MLflowError) -> MLflowClient.Run {
        let experimentID = try await client.experimentID(named: experiment)
        let run = try await client.createRun(
            experimentID: experimentID, name: manifest.version, tags: tags(manifest, txadVersion: txadVersion))
        do throws(MLflowError) {
            try await client.log(runID: run.runID, params: params(manifest), metrics: metrics(manifest))
            for file in try files(in: directory) {
                guard let data = FileManager.default.contents(atPath: directory + "/" + file) else {
                    throw MLflowError(.invalidArgument, "bundle file \(directory)/\(file) cannot be read")
                }
                try await client.uploadArtifact(Array(data), path: "bundle/" + file, run: run)
            }
            try await client.finish(runID: run.runID)
        } catch {
            try? await client.finish(runID: run.runID, failed: true)
            throw error
        }
        return run
    }

    /// Tags of the run: bundle version, training-data digest and file, txad version.
    static func tags(_ manifest: BundleManifest, txadVersion: String) -> [String: String] {
        [
            "txad.bundle_version": manifest.version, "txad.data_sha256": manifest.trainingData.sha256,
            "txad.data_file": manifest.trainingData.file, "txad.version": txadVersion,
            "txad.feature_schema": String(manifest.featureSchema.version),
        ]
    }

    /// The manifest's training parameters flattened to dotted keys (`isolation_forest.trees`), plus row counts.
    static func params(_ manifest: BundleManifest) -> [String: String] {
        var out: [String: String] = [:]
        if let data = try? JSONEncoder().encode(manifest.parameters),
            let object = try? JSONSerialization.jsonObject(with: data)
        {
            flatten(object, prefix: "", into: &out)
        }
        out["training_rows"] = String(manifest.trainingData.trainingRows)
        out["holdout_rows"] = String(manifest.trainingData.holdoutRows)
        return out
    }

    /// Holdout metrics per model (`holdout.ensemble.roc_auc`, …) and the autoencoder's losses per epoch.
    static func metrics(_ manifest: BundleManifest) -> [MLflowClient.Metric] {
        var out: [MLflowClient.Metric] = []
        for (model, result) in (manifest.evaluation ?? [:]).sorted(by: { $0.key < $1.key }) {
            var values: [String: String] = [:]
            if let data = try? JSONEncoder().encode(result), let object = try? JSONSerialization.jsonObject(with: data) {
                flatten(object, prefix: "holdout.\(model).", into: &values)
            }
            for (key, text) in values.sorted(by: { $0.key < $1.key }) {
                if let value = Double(text), value.isFinite {
                    out.append(.init(key: sanitize(key), value: value))
                }
            }
        }
        let history = manifest.autoencoderHistory
        for (epoch, loss) in history.trainingLoss.enumerated() where loss.isFinite {
            out.append(.init(key: "autoencoder.training_loss", value: Double(loss), step: epoch + 1))
        }
        for (epoch, loss) in history.validationLoss.enumerated() where loss.isFinite {
            out.append(.init(key: "autoencoder.validation_loss", value: Double(loss), step: epoch + 1))
        }
        return out
    }

    /// Regular files under `directory`, relative, sorted.
    static func files(in directory: String) throws(MLflowError) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw MLflowError(.invalidArgument, "bundle directory \(directory) cannot be read")
        }
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files.append(path)
            }
        }
        return files.sorted()
    }

    private static func flatten(_ value: Any, prefix: String, into out: inout [String: String]) {
        switch value {
        case let object as [String: Any]:
            for (key, child) in object { flatten(child, prefix: prefix + key + ".", into: &out) }
        case let array as [Any]:
            for (index, child) in array.enumerated() { flatten(child, prefix: prefix + String(index) + ".", into: &out) }
        case is NSNull:
            break
        default:
            let key = String(prefix.dropLast())
            if let number = value as? NSNumber {
                out[key] = number.stringValue
            } else {
                out[key] = "\(value)"
            }
        }
    }

    /// MLflow keys allow letters, digits, `_ - . / ` and space.
    private static func sanitize(_ key: String) -> String {
        String(key.map { $0.isLetter || $0.isNumber || "_-./ ".contains($0) ? $0 : "_" })
    }
}
