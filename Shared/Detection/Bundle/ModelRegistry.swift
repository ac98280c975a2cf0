import Foundation

/// A directory of model bundles with an active pointer: `txad models list|promote|rollback` and the inference
/// service use it to find the bundle in service.
///
/// ```
/// models/ACTIVE        the active version, one line
/// models/HISTORY       versions in activation order, one per line (the last is the active one)
/// models/<version>/    bundles (see ModelBundle)
/// ```
/// ``promote(_:)`` loads and validates a bundle before pointing `ACTIVE` at it, so a corrupt or mismatched
/// bundle never replaces the one in service. Pointer files are replaced atomically (write + rename).
public struct ModelRegistry: Sendable {
    /// File holding the active version.
    public static let activeFile = "ACTIVE"
    /// File holding the activation history.
    public static let historyFile = "HISTORY"

    /// One bundle in the registry.
    public struct Entry: Sendable, Hashable {
        /// The bundle's version (directory name).
        public var version: String
        /// Creation time from its manifest (RFC 3339).
        public var created: String
        /// True for the active bundle.
        public var isActive: Bool
        /// Holdout ensemble ROC AUC and PR AUC from the manifest, when evaluated.
        public var rocAUC: Double?
        public var prAUC: Double?
    }

    /// The registry's root directory.
    public let root: String

    /// A registry rooted at `root` (created on the first ``promote(_:)`` if missing).
    public init(root: String) {
        self.root = root
    }

    /// The directory of `version`.
    public func directory(of version: String) -> String { root + "/" + version }

    /// Every complete bundle (a subdirectory with a readable manifest), oldest first.
    public func list() throws(DetectionError) -> [Entry] {
        let fm = FileManager.default
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: root)
        } catch {
            throw DetectionError(.fileAccess, "cannot list model directory \(root)", underlying: error)
        }
        let active = try activeVersion()
        var entries: [Entry] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let manifestPath = directory(of: name) + "/" + ModelBundle.manifestFile
            guard let data = fm.contents(atPath: manifestPath),
                let manifest = try? JSONDecoder().decode(BundleManifest.self, from: data)
            else { continue }
            let ensemble = manifest.evaluation?["ensemble"]
            entries.append(
                Entry(
                    version: name, created: manifest.created, isActive: name == active, rocAUC: ensemble?.rocAUC,
                    prAUC: ensemble?.prAUC))
        }
        return entries.sorted { ($0.created, $0.version) < ($1.created, $1.version) }
    }

    /// The active version, or `nil` when none was promoted yet.
    public func activeVersion() throws(DetectionError) -> String? {
        let path = root + "/" + Self.activeFile
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw DetectionError(.fileAccess, "cannot read \(path)") }
        let version = text.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            try ModelBundle.validate(version: version)
        } catch {
            throw DetectionError(.corruptModel, "\(path) does not hold a valid version: \(error.message)")
        }
        return version
    }

    /// Loads the active bundle; throws when there is none or it does not validate.
    public func loadActive(expectedSchema: FeatureSchema = .current) throws(DetectionError) -> ModelBundle {
        guard let version = try activeVersion() else {
            throw DetectionError(
                .fileAccess, "no active model in \(root); train one with `txad train` or run `txad models promote`")
        }
        return try ModelBundle.load(from: directory(of: version), expectedSchema: expectedSchema)
    }

    /// Makes `version` active after loading and validating it; records it in the history.
    public func promote(_ version: String, expectedSchema: FeatureSchema = .current) throws(DetectionError) {
        try ModelBundle.validate(version: version)
        _ = try ModelBundle.load(from: directory(of: version), expectedSchema: expectedSchema)
        if try activeVersion() == version { return }
        var history = try readHistory()
        history.append(version)
        try writeHistory(history)
        try writePointer(version)
    }

    /// Makes the previously active version active again and returns it.
    ///
    /// Throws when there is no earlier version in the history or it no longer validates (the active one stays).
    @discardableResult
    public func rollback(expectedSchema: FeatureSchema = .current) throws(DetectionError) -> String {
        var history = try readHistory()
        let current = try activeVersion()
        while let last = history.last, last == current { history.removeLast() }
        guard let previous = history.last else {
            throw DetectionError(.invalidArgument, "no earlier model version to roll back to in \(root)")
        }
        _ = try ModelBundle.load(from: directory(of: previous), expectedSchema: expectedSchema)
        try writeHistory(history)
        try writePointer(previous)
        return previous
    }

    /// The bundle directory `path` designates: `path` itself when it holds a manifest, else the active bundle of
    /// the registry at `path`.
    public static func resolveBundleDirectory(_ path: String) throws(DetectionError) -> String {
        if FileManager.default.fileExists(atPath: path + "/" + ModelBundle.manifestFile) { return path }
        let registry = ModelRegistry(root: path)
        guard let version = try registry.activeVersion() else {
            throw DetectionError(
                .fileAccess,
                "\(path) is neither a model bundle (no \(ModelBundle.manifestFile)) nor a model directory with an "
                    + "\(activeFile) version")
        }
        return registry.directory(of: version)
    }

    private func readHistory() throws(DetectionError) -> [String] {
        let path = root + "/" + Self.historyFile
        guard FileManager.default.fileExists(atPath: path) else {
            return try activeVersion().map { [$0] } ?? []
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw DetectionError(.fileAccess, "cannot read \(path)") }
        return text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
    }

    private func writeHistory(_ history: [String]) throws(DetectionError) {
        try writeFile(Self.historyFile, history.map { $0 + "\n" }.joined())
    }

    private func writePointer(_ version: String) throws(DetectionError) {
        try writeFile(Self.activeFile, version + "\n")
    }

    private func writeFile(_ name: String, _ text: String) throws(DetectionError) {
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw DetectionError(.fileAccess, "cannot create model directory \(root)", underlying: error)
        }
        try ModelFile.write(Array(text.utf8), to: root + "/" + name)
    }
}
