import Detection
import Foundation

/// Reads the feature priors of the active bundle in a model directory, from its manifest alone (the model files are
/// the inference service's business), so preprocessing computes features with the priors the model was trained on.
public enum ActiveBundlePriors {
    /// The active version and its priors, or nil when the directory has no active bundle yet.
    public static func load(modelDirectory: String) throws -> (version: String, priors: FeaturePriors)? {
        let registry = ModelRegistry(root: modelDirectory)
        guard let version = try registry.activeVersion() else { return nil }
        let path = registry.directory(of: version) + "/" + ModelBundle.manifestFile
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DetectionError(.fileAccess, "cannot read \(path)")
        }
        let manifest = try JSONDecoder().decode(BundleManifest.self, from: data)
        guard manifest.featureSchema == .current else {
            throw DetectionError(
                .schemaMismatch,
                "\(path): feature schema v\(manifest.featureSchema.version) differs from this build's v\(FeatureSchema.current.version)")
        }
        return (version, manifest.featurePriors)
    }
}
