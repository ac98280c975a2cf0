import Detection
import Foundation

/// A bundle directory as one byte string, the form in which the registry stores it (`model_versions.bundle`).
///
/// ```
/// "TXBA" magic, UInt32 format version (1), UInt32 file count, then per file (sorted by path):
///     UInt32 path length, path (UTF-8, relative, `/`-separated), UInt64 size, bytes
/// ```
/// All integers little-endian. The archive's SHA-256 is the registry's checksum; the bundle's own manifest digests
/// are checked again by ``ModelBundle/load(from:expectedSchema:)`` after ``extract(_:to:)``.
public enum BundleArchive {
    /// At most this many files and bytes in one archive (bundles are a few MB; reports add a few SVGs).
    public static let maximumFiles = 256
    public static let maximumBytes = 256 << 20
    static let magic = Array("TXBA".utf8)
    static let formatVersion: UInt32 = 1

    /// Every regular file under `directory`, archived. Hidden files (`.partial-…`) are skipped.
    public static func pack(directory: String) throws(RegistryError) -> [UInt8] {
        let fm = FileManager.default
        guard let enumerator = fm.enumerator(atPath: directory) else {
            throw RegistryError(.invalidArgument, "cannot read bundle directory \(directory)")
        }
        var files: [(String, [UInt8])] = []
        var total = 0
        while let path = enumerator.nextObject() as? String {
            let full = directory + "/" + path
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            guard let data = fm.contents(atPath: full) else {
                throw RegistryError(.invalidArgument, "cannot read \(full)")
            }
            total += data.count
            guard files.count < maximumFiles, total <= maximumBytes else {
                throw RegistryError(
                    .invalidArgument,
                    "bundle directory \(directory) exceeds \(maximumFiles) files or \(maximumBytes >> 20) MiB")
            }
            files.append((path, [UInt8](data)))
        }
        files.sort { $0.0 < $1.0 }
        var out = magic
        append(formatVersion, to: &out)
        append(UInt32(files.count), to: &out)
        for (path, bytes) in files {
            let name = Array(path.utf8)
            append(UInt32(name.count), to: &out)
            out.append(contentsOf: name)
            append(UInt64(bytes.count), to: &out)
            out.append(contentsOf: bytes)
        }
        return out
    }

    /// The archive's files (relative path → bytes), after checking its structure and every path.
    ///
    /// - Throws: `.corruptBundle` naming the problem (wrong magic, truncation, unsafe path, trailing bytes).
    public static func files(of archive: [UInt8]) throws(RegistryError) -> [(path: String, bytes: [UInt8])] {
        var reader = Reader(bytes: archive)
        guard try reader.take(4) == magic[...] else {
            throw RegistryError(.corruptBundle, "the stored bundle is not a txad bundle archive (wrong magic)")
        }
        let version = try reader.uint32()
        guard version == formatVersion else {
            throw RegistryError(.corruptBundle, "bundle archive format \(version) is not \(formatVersion)")
        }
        let count = Int(try reader.uint32())
        guard count <= maximumFiles else {
            throw RegistryError(.corruptBundle, "bundle archive declares \(count) files, at most \(maximumFiles)")
        }
        var files: [(path: String, bytes: [UInt8])] = []
        for _ in 0..<count {
            let length = Int(try reader.uint32())
            guard length > 0, length <= 1024 else {
                throw RegistryError(.corruptBundle, "bundle archive has a path of \(length) bytes")
            }
            let path = String(decoding: try reader.take(length), as: UTF8.self)
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !path.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw RegistryError(.corruptBundle, "bundle archive has an unsafe path '\(path)'")
            }
            let size = try reader.uint64()
            guard size <= UInt64(maximumBytes) else {
                throw RegistryError(.corruptBundle, "bundle archive file \(path) declares \(size) bytes")
            }
            files.append((path, Array(try reader.take(Int(size)))))
        }
        guard reader.offset == archive.count else {
            throw RegistryError(.corruptBundle, "bundle archive has \(archive.count - reader.offset) trailing bytes")
        }
        return files
    }

    /// Writes the archive's files into `directory` (created; must not exist).
    public static func extract(_ archive: [UInt8], to directory: String) throws(RegistryError) {
        let files = try files(of: archive)
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: false)
            for file in files {
                let path = directory + "/" + file.path
                try fm.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                guard fm.createFile(atPath: path, contents: Data(file.bytes)) else {
                    throw RegistryError(.unavailable, "cannot write \(path)")
                }
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError(.unavailable, "cannot extract the bundle into \(directory): \(error)")
        }
    }

    /// Checks `archive` against `checksum`, extracts it to a temporary directory, loads and validates it with
    /// ``ModelBundle/load(from:expectedSchema:)`` and removes the directory. The loaded version must be `version`.
    ///
    /// - Throws: `.corruptBundle` for a checksum, archive, manifest, model file or schema failure.
    public static func load(
        _ archive: [UInt8], checksum: String, version: String, expectedSchema: FeatureSchema = .current
    ) throws(RegistryError) -> ModelBundle {
        let actual = SHA256.hex(of: archive)
        guard actual == checksum else {
            throw RegistryError(
                .corruptBundle, "stored bundle \(version) does not match its checksum (\(checksum.prefix(12))…)")
        }
        let directory = NSTemporaryDirectory() + "txad-registry-\(version)-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try extract(archive, to: directory)
        let bundle: ModelBundle
        do {
            bundle = try ModelBundle.load(from: directory, expectedSchema: expectedSchema)
        } catch {
            throw RegistryError(.corruptBundle, "stored bundle \(version) refused: \(error.message)")
        }
        guard bundle.version == version else {
            throw RegistryError(
                .corruptBundle, "stored bundle \(version) holds version \(bundle.version) in its manifest")
        }
        return bundle
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func take(_ count: Int) throws(RegistryError) -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - offset >= count else {
                throw RegistryError(.corruptBundle, "the stored bundle archive is truncated")
            }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func uint32() throws(RegistryError) -> UInt32 {
            try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func uint64() throws(RegistryError) -> UInt64 {
            try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
    }
}
