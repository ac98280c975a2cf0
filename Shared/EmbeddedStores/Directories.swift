import Foundation
import Logging

/// Data directories of embedded servers.
enum Directories {
    /// Creates a fresh private directory under `directory`, `$TMPDIR` or `/tmp`, e.g. `/tmp/txad-redis-Ab12Cd`.
    ///
    /// Kept short on purpose: PostgreSQL puts its Unix socket there and socket paths are limited to 107 bytes.
    static func makeTemporary(prefix: String, in directory: String? = nil) throws -> String {
        let base =
            directory ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base.hasSuffix("/") ? String(base.dropLast()) : base)/\(prefix)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkdtemp($0) != nil } ?? false
        }
        guard created else {
            throw EmbeddedStoreError(
                .systemError, "mkdtemp in \(base) failed: \(ChildProcess.errorText(errno))")
        }
        return template.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { String(cString: $0) } ?? ""
        }
    }

    /// Creates `path` and its parents if needed and returns it as an absolute path (servers run in `/`).
    static func createPersistent(_ path: String) throws -> String {
        guard !path.isEmpty else {
            throw EmbeddedStoreError(.invalidOptions, "dataDirectory: must not be empty")
        }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        do {
            // Parents get the default mode: when we are root, the server user must be able to pass through them.
            if !FileManager.default.fileExists(atPath: absolute) {
                try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true)
                try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: absolute)
            }
        } catch {
            throw EmbeddedStoreError(.systemError, "could not create data directory \(absolute): \(error)")
        }
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    /// Whether `path` contains no entries.
    static func isEmpty(_ path: String) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).isEmpty
    }

    /// Whether `path` exists.
    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// Removes `path` and everything below it; a missing path is fine, other failures are logged.
    static func remove(_ path: String, logger: Logger) {
        guard exists(path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            logger.warning("could not remove throwaway directory", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }
}
