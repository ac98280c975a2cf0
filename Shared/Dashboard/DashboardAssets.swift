import Detection
import Foundation

/// The dashboard's static files (CSS, the progressive-enhancement script), served under fingerprinted names: the
/// first 12 hex digits of the content's SHA-256 are part of the URL (`dashboard.3f9a…c1.css`), so a response can be
/// cached for a year (`immutable`) and a changed file gets a new URL.
public struct DashboardAssets: Sendable {
    /// One served file.
    public struct Asset: Sendable, Hashable {
        /// The name in the repository, e.g. `dashboard.css`.
        public var name: String
        /// The fingerprinted name served, e.g. `dashboard.0123456789ab.css`.
        public var fingerprintedName: String
        /// The bytes.
        public var bytes: [UInt8]
        /// `Content-Type`.
        public var contentType: String
    }

    /// `Cache-Control` of a fingerprinted file.
    public static let cacheControl = "public, max-age=31536000, immutable"
    /// The URL prefix files are served under.
    public static let prefix = "/dashboard/assets/"

    private let byName: [String: Asset]
    private let byFingerprint: [String: Asset]

    /// Fingerprints `files` (name → bytes).
    public init(files: [String: [UInt8]]) {
        var byName: [String: Asset] = [:]
        for (name, bytes) in files {
            let hash = String(SHA256.hex(of: bytes).prefix(12))
            let dot = name.lastIndex(of: ".") ?? name.endIndex
            let fingerprinted = String(name[..<dot]) + "." + hash + String(name[dot...])
            byName[name] = Asset(
                name: name, fingerprintedName: fingerprinted, bytes: bytes,
                contentType: Self.contentType(of: name))
        }
        self.byName = byName
        self.byFingerprint = Dictionary(
            byName.values.map { ($0.fingerprintedName, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Loads every file of the module's `Resources/assets` directory.
    public static func bundled() throws -> DashboardAssets {
        let directory = try DashboardResources.directory("assets")
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where !name.hasPrefix(".") {
            files[name] = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
        }
        return DashboardAssets(files: files)
    }

    /// The URL of `name` (e.g. `dashboard.css`), fingerprinted; the plain path when there is no such file.
    public func url(_ name: String) -> String {
        Self.prefix + (byName[name]?.fingerprintedName ?? name)
    }

    /// The file served under `fingerprintedName`, if any.
    public func asset(fingerprintedName: String) -> Asset? {
        byFingerprint[fingerprintedName]
    }

    private static func contentType(of name: String) -> String {
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        if name.hasSuffix(".svg") { return "image/svg+xml" }
        return "application/octet-stream"
    }
}

/// Where the module's resource files are.
enum DashboardResources {
    /// `Resources/<name>` inside the module's bundle.
    static func directory(_ name: String) throws -> URL {
        // The copied `Resources` folder sits in the bundle; Foundation's `resourceURL` is the bundle itself on some
        // platforms and its `Resources` subfolder on others (Linux), so look in both.
        let bundle = Bundle.module
        let candidates = [bundle.bundleURL, bundle.resourceURL].compactMap { $0 }.flatMap { root in
            [root.appendingPathComponent("Resources").appendingPathComponent(name), root.appendingPathComponent(name)]
        }
        guard let url = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw DashboardError(
                "the dashboard's resources have no \(name) directory (looked in "
                    + candidates.map(\.path).joined(separator: ", ") + ")")
        }
        return url
    }
}

/// A dashboard start-up failure (templates or assets missing or unreadable).
public struct DashboardError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
