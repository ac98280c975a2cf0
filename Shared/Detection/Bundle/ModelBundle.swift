import Foundation

/// A trained model bundle: the manifest plus both models, as stored in a `models/<version>/` directory.
///
/// ```
/// models/<version>/manifest.json          what, on what, how, how well (BundleManifest)
/// models/<version>/isolation_forest.bin   ModelFile container "TXIF"
/// models/<version>/autoencoder.bin        ModelFile container "TXAE"
/// models/<version>/gradient_boosting.bin  ModelFile container "TXGB" (bundles trained with labels only)
/// models/<version>/evaluation.json        holdout metrics (when trained with a holdout)
/// models/<version>/report/                SVG curves + HTML report (when trained with a holdout)
/// ```
/// ``load(from:expectedSchema:)`` validates everything before returning, so a bundle that loads is safe to serve.
public struct ModelBundle: Sendable {
    /// File names inside a bundle directory.
    public static let manifestFile = "manifest.json"
    public static let isolationForestFile = "isolation_forest.bin"
    public static let autoencoderFile = "autoencoder.bin"
    public static let gradientBoostingFile = "gradient_boosting.bin"

    /// The manifest.
    public let manifest: BundleManifest
    /// The Isolation Forest (input: scaled features).
    public let isolationForest: IsolationForest
    /// The autoencoder (input: scaled features).
    public let autoencoder: Autoencoder
    /// The supervised trees (input: scaled features plus the calibrated IF and AE scores), present exactly when
    /// the manifest has a ``BundleManifest/supervised`` blend.
    public let gradientBoosting: GradientBoosting?

    /// The bundle's version.
    public var version: String { manifest.version }

    /// Assembles a bundle; the manifest's `files` entries are filled in by ``write(to:)``.
    public init(
        manifest: BundleManifest, isolationForest: IsolationForest, autoencoder: Autoencoder,
        gradientBoosting: GradientBoosting? = nil
    ) {
        self.manifest = manifest
        self.isolationForest = isolationForest
        self.autoencoder = autoencoder
        self.gradientBoosting = gradientBoosting
    }

    /// Throws ``DetectionError/Code/invalidArgument`` unless `version` is 1–64 characters of `[A-Za-z0-9._-]`
    /// and not `.`/`..` (it becomes a directory name).
    public static func validate(version: String) throws(DetectionError) {
        let allowed = version.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E
                || c == 0x5F || c == 0x2D
        }
        guard (1...64).contains(version.utf8.count), allowed, version != ".", version != ".." else {
            throw DetectionError(
                .invalidArgument, "model version '\(version)' must be 1–64 characters of letters, digits, '.', '_', '-'")
        }
    }

    /// Writes the bundle into `directory` (which must not exist yet), atomically: files go to a temporary sibling
    /// directory that is renamed into place once complete. Returns the manifest as written.
    ///
    /// `extraFiles` (relative path → bytes, e.g. `evaluation.json`, `report/index.html`) are written alongside.
    @discardableResult
    public func write(to directory: String, extraFiles: [String: [UInt8]] = [:]) throws(DetectionError)
        -> BundleManifest
    {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: directory) else {
            throw DetectionError(
                .fileAccess, "\(directory) already exists; choose another version or remove it first")
        }
        let parent = (directory as NSString).deletingLastPathComponent
        let staging = (parent.isEmpty ? "." : parent) + "/." + (directory as NSString).lastPathComponent
            + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try? fm.removeItem(atPath: staging)
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
        } catch {
            throw DetectionError(.fileAccess, "cannot create \(staging)", underlying: error)
        }
        do throws(DetectionError) {
            var manifest = self.manifest
            let forest = isolationForest.fileBytes()
            let network = autoencoder.fileBytes()
            try ModelFile.write(forest, to: staging + "/" + Self.isolationForestFile)
            try ModelFile.write(network, to: staging + "/" + Self.autoencoderFile)
            manifest.files = [
                Self.isolationForestFile: .init(bytes: forest.count, sha256: SHA256.hex(of: forest)),
                Self.autoencoderFile: .init(bytes: network.count, sha256: SHA256.hex(of: network)),
            ]
            if let gradientBoosting {
                let trees = gradientBoosting.fileBytes()
                try ModelFile.write(trees, to: staging + "/" + Self.gradientBoostingFile)
                manifest.files[Self.gradientBoostingFile] = .init(bytes: trees.count, sha256: SHA256.hex(of: trees))
            }
            for (name, bytes) in extraFiles.sorted(by: { $0.key < $1.key }) {
                let path = staging + "/" + name
                let folder = (path as NSString).deletingLastPathComponent
                do {
                    try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
                } catch {
                    throw DetectionError(.fileAccess, "cannot create \(folder)", underlying: error)
                }
                try ModelFile.write(bytes, to: path)
            }
            try ModelFile.write(try Self.encode(manifest), to: staging + "/" + Self.manifestFile)
            do {
                try fm.moveItem(atPath: staging, toPath: directory)
            } catch {
                throw DetectionError(.fileAccess, "cannot move the finished bundle to \(directory)", underlying: error)
            }
            return manifest
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
    }

    /// Loads and validates the bundle in `directory`.
    ///
    /// Refuses — with an error naming the file and the problem — a missing or undecodable manifest, an unknown
    /// format version, a feature schema other than `expectedSchema` (``DetectionError/Code/schemaMismatch``),
    /// model files that are missing, truncated, corrupted or different from the manifest's digests
    /// (``DetectionError/Code/corruptModel``), and models whose width does not match the schema.
    public static func load(from directory: String, expectedSchema: FeatureSchema = .current) throws(DetectionError)
        -> ModelBundle
    {
        let manifestPath = directory + "/" + manifestFile
        let manifestBytes = try ModelFile.read(manifestPath, name: manifestPath)
        // The format version alone, checked before the rest so an older layout gets this message rather than a
        // missing-key error.
        struct FormatVersion: Decodable {
            var value: Int
            enum CodingKeys: String, CodingKey { case value = "format_version" }
        }
        if let probe = try? JSONDecoder().decode(FormatVersion.self, from: Data(manifestBytes)),
            !BundleManifest.readableFormatVersions.contains(probe.value)
        {
            let readable = BundleManifest.readableFormatVersions
            throw DetectionError(
                .unsupportedVersion,
                "\(manifestPath) has format version \(probe.value); this build reads "
                    + "\(readable.lowerBound)–\(readable.upperBound) — retrain the model")
        }
        let manifest: BundleManifest
        do {
            manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(manifestBytes))
        } catch let error as DetectionError {
            throw DetectionError(error.code, "\(manifestPath): \(error.message)")
        } catch {
            throw DetectionError(.corruptModel, "\(manifestPath) is not a valid manifest: \(error)")
        }
        let schema = manifest.featureSchema
        guard schema.version == expectedSchema.version else {
            throw DetectionError(
                .schemaMismatch,
                "\(manifestPath): the models were trained on feature schema version \(schema.version), this build "
                    + "computes version \(expectedSchema.version) — retrain the model")
        }
        guard schema.names == expectedSchema.names else {
            let differing = zip(schema.names, expectedSchema.names).first { $0.0 != $0.1 }
            throw DetectionError(
                .schemaMismatch,
                "\(manifestPath): feature names differ from this build's schema version \(schema.version) ("
                    + (differing.map { "'\($0.0)' vs '\($0.1)'" } ?? "\(schema.count) vs \(expectedSchema.count) columns")
                    + ") — retrain the model")
        }
        guard manifest.modelInputs.columns.count == schema.count else {
            throw DetectionError(
                .schemaMismatch,
                "\(manifestPath): model inputs have \(manifest.modelInputs.columns.count) columns, schema has "
                    + "\(schema.count)")
        }
        guard manifest.scaler.columns == schema.count else {
            throw DetectionError(
                .schemaMismatch,
                "\(manifestPath): scaler has \(manifest.scaler.columns) columns, schema has \(schema.count)")
        }
        do {
            try manifest.ensemble.validate()
        } catch {
            throw DetectionError(error.code, "\(manifestPath): \(error.message)")
        }

        // Each file is parsed first (its container gives the precise message for truncation and corruption), then
        // compared with the manifest, which catches a valid file from another bundle.
        let forestPath = directory + "/" + isolationForestFile
        let forestBytes = try ModelFile.read(forestPath, name: forestPath)
        let forest = try IsolationForest(fileBytes: forestBytes, name: forestPath)
        try verify(forestBytes, path: forestPath, entry: manifest.files[isolationForestFile])
        let networkPath = directory + "/" + autoencoderFile
        let networkBytes = try ModelFile.read(networkPath, name: networkPath)
        let network = try Autoencoder(fileBytes: networkBytes, name: networkPath)
        try verify(networkBytes, path: networkPath, entry: manifest.files[autoencoderFile])
        guard forest.featureCount == schema.count else {
            throw DetectionError(
                .schemaMismatch,
                "\(directory)/\(isolationForestFile) expects \(forest.featureCount) features, schema has \(schema.count)")
        }
        guard network.featureCount == schema.count else {
            throw DetectionError(
                .schemaMismatch,
                "\(directory)/\(autoencoderFile) expects \(network.featureCount) features, schema has \(schema.count)")
        }
        var trees: GradientBoosting?
        if let supervised = manifest.supervised {
            do {
                try supervised.validate()
            } catch {
                throw DetectionError(error.code, "\(manifestPath): \(error.message)")
            }
            let path = directory + "/" + gradientBoostingFile
            let bytes = try ModelFile.read(path, name: path)
            let model = try GradientBoosting(fileBytes: bytes, name: path)
            try verify(bytes, path: path, entry: manifest.files[gradientBoostingFile])
            guard model.featureCount == schema.count + SupervisedBlend.extraColumns.count else {
                throw DetectionError(
                    .schemaMismatch,
                    "\(path) expects \(model.featureCount) inputs, the schema and the two model scores make "
                        + "\(schema.count + 2)")
            }
            trees = model
        }
        return ModelBundle(manifest: manifest, isolationForest: forest, autoencoder: network, gradientBoosting: trees)
    }

    /// Checks a model file's size and digest against its manifest entry.
    private static func verify(_ bytes: [UInt8], path: String, entry: BundleManifest.FileEntry?) throws(DetectionError) {
        guard let entry else {
            throw DetectionError(.corruptModel, "\(manifestFile) does not list \(path)")
        }
        guard bytes.count == entry.bytes, SHA256.hex(of: bytes) == entry.sha256 else {
            throw DetectionError(
                .corruptModel, "\(path) does not match the size and SHA-256 recorded in \(manifestFile)")
        }
    }

    /// Pretty, key-sorted JSON of a manifest.
    static func encode(_ manifest: BundleManifest) throws(DetectionError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return [UInt8](try encoder.encode(manifest))
        } catch {
            throw DetectionError(.invalidArgument, "cannot encode the bundle manifest: \(error)")
        }
    }
}
