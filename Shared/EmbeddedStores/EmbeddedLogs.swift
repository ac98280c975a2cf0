#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reading the end of a server log for error messages.
enum EmbeddedLogs {
    /// The last `lines` lines of `text`.
    static func tail(of text: String, lines: Int = 20) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// The last `lines` lines of the file at `path` (reading at most its last 16 KiB), or a note that it is missing.
    static func tail(ofFile path: String, lines: Int = 20) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "(no log at \(path))" }
        defer { close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        let start = max(0, size - 16384)
        var bytes = [UInt8](repeating: 0, count: Int(size - start))
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, start) }
        guard count >= 0 else { return "(could not read \(path))" }
        return tail(of: String(decoding: bytes[..<count], as: UTF8.self), lines: lines)
    }
}
