import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The durable spool's file and all of its I/O (open, scan, append + fdatasync, read, compaction).
///
/// ```
///  file   = header record*
///  header = "TXSPOOL1"                                  8 bytes
///  record = length:UInt32 LE | crc:UInt32 LE | payload  8 + length bytes
///           crc = CRC-32 over the 4 length bytes followed by the payload
/// ```
/// A record is valid when it is complete and its CRC matches. On open, everything from the first invalid record
/// on (a write torn by a crash, or damage) is copied to `PATH.corrupt-<unix time>` and cut off, with a warning.
/// Appends write at `end` and `fdatasync` before returning; a failed append is cut off again, so the file always
/// ends with a valid record.
struct SpoolFile {
    static let magic = Array("TXSPOOL1".utf8)
    static let headerSize = 8
    static let recordHeaderSize = 8

    /// The spool's path.
    let path: String
    /// Offset just past the last valid record.
    private(set) var end: Int
    /// Valid records in the file.
    private(set) var recordCount: Int
    private var fd: Int32
    private let maxRecordSize: Int
    /// Set when a failed append could not be cut off: the tail is unknown, so appends are refused.
    private var brokenReason: String?

    /// One step of reading the file.
    enum Read {
        case record([UInt8], next: Int)
        case end
        case invalid(String)
    }

    /// Opens (or creates) the spool at `path` and cuts off an invalid tail.
    static func open(path: String, maxRecordSize: Int, logger: Logger) throws -> SpoolFile {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ioError("open", path) }
        // Two writers (another replica on this host, a second instance here) would interleave and corrupt it.
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            _ = Glibc.close(fd)
            throw busy
                ? StoreError(.spoolFailure, "\(path) is already open in another DurableSpool (this or another process)")
                : ioError("flock", path)
        }
        var file = SpoolFile(path: path, end: headerSize, recordCount: 0, fd: fd, maxRecordSize: maxRecordSize)
        do {
            try file.load(logger: logger)
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        return file
    }

    /// Closes the descriptor.
    func close() {
        _ = Glibc.close(fd)
    }

    /// Appends already-encoded records and makes them durable (`fdatasync`).
    mutating func append(_ bytes: [UInt8], records: Int) throws {
        if let brokenReason {
            throw StoreError(.spoolFailure, "spool \(path) refuses appends: \(brokenReason)")
        }
        do {
            try writeAll(bytes, at: end, to: fd)
            guard fdatasync(fd) == 0 else { throw Self.ioError("fdatasync", path) }
        } catch {
            if ftruncate(fd, off_t(end)) != 0 || fdatasync(fd) != 0 {
                brokenReason = "a failed append could not be cut off (\(Self.errnoText()))"
            }
            throw error
        }
        end += bytes.count
        recordCount += records
    }

    /// Reads the record at `offset` (which must not exceed `limit`).
    func read(at offset: Int, limit: Int) throws -> Read {
        guard offset + Self.recordHeaderSize <= limit else {
            return offset == limit ? .end : .invalid("\(limit - offset) bytes where a record header needs 8")
        }
        let header = try readExactly(Self.recordHeaderSize, at: offset)
        let length = Int(Self.uint32(header, at: 0))
        let expected = Self.uint32(header, at: 4)
        guard length <= maxRecordSize else {
            return .invalid("record length \(length) exceeds the maximum \(maxRecordSize)")
        }
        let next = offset + Self.recordHeaderSize + length
        guard next <= limit else {
            return .invalid("record of \(length) bytes but only \(limit - offset - Self.recordHeaderSize) follow")
        }
        let payload = try readExactly(length, at: offset + Self.recordHeaderSize)
        guard CRC32.checksum(payload, continuing: CRC32.checksum(header[0..<4])) == expected else {
            return .invalid("CRC mismatch in a record of \(length) bytes")
        }
        return .record(payload, next: next)
    }

    /// Removes the records before `offset` (`records` of them), keeping later ones: truncation when nothing
    /// follows, otherwise a rewritten file renamed over the old one (atomic; the directory is synced).
    mutating func discard(upTo offset: Int, records: Int) throws {
        guard offset > Self.headerSize else { return }
        if offset == end {
            guard ftruncate(fd, off_t(Self.headerSize)) == 0, fdatasync(fd) == 0 else {
                throw Self.ioError("truncating", path)
            }
        } else {
            let temporaryPath = path + ".compact"
            let temporary = Glibc.open(temporaryPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard temporary >= 0 else { throw Self.ioError("open", temporaryPath) }
            do {
                try writeAll(Self.magic, at: 0, to: temporary)
                var copied = 0
                while offset + copied < end {
                    let chunk = try readExactly(min(1 << 20, end - offset - copied), at: offset + copied)
                    try writeAll(chunk, at: Self.headerSize + copied, to: temporary)
                    copied += chunk.count
                }
                guard fdatasync(temporary) == 0 else { throw Self.ioError("fdatasync", temporaryPath) }
                // Lock the new file before it takes the name, so no other opener gets in between.
                guard flock(temporary, LOCK_EX | LOCK_NB) == 0 else { throw Self.ioError("flock", temporaryPath) }
                guard rename(temporaryPath, path) == 0 else { throw Self.ioError("rename", temporaryPath) }
            } catch {
                _ = Glibc.close(temporary)
                unlink(temporaryPath)
                throw error
            }
            try syncDirectory()
            _ = Glibc.close(fd)
            fd = temporary
        }
        end = Self.headerSize + (end - offset)
        recordCount -= records
    }

    /// Encodes `payload` as a record onto `buffer`.
    static func encode(_ payload: [UInt8], into buffer: inout [UInt8]) {
        var length = UInt32(payload.count).littleEndian
        let lengthBytes = withUnsafeBytes(of: &length) { Array($0) }
        var crc = CRC32.checksum(payload, continuing: CRC32.checksum(lengthBytes)).littleEndian
        buffer.append(contentsOf: lengthBytes)
        withUnsafeBytes(of: &crc) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: payload)
    }

    // MARK: - Private

    /// Checks or writes the header, scans the records and cuts off an invalid tail.
    private mutating func load(logger: Logger) throws {
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size >= 0 else { throw Self.ioError("lseek", path) }
        if size == 0 {
            try writeAll(Self.magic, at: 0, to: fd)
            guard fdatasync(fd) == 0 else { throw Self.ioError("fdatasync", path) }
            try syncDirectory()
            return
        }
        guard size >= Self.headerSize, try readExactly(Self.headerSize, at: 0) == Self.magic else {
            throw StoreError(
                .spoolFailure, "\(path) is not a txad spool (its first bytes are not TXSPOOL1); not touching it")
        }
        var offset = Self.headerSize
        var count = 0
        scan: while true {
            switch try read(at: offset, limit: size) {
            case .record(_, let next):
                offset = next
                count += 1
            case .end:
                break scan
            case .invalid(let reason):
                try quarantineTail(from: offset, size: size, reason: reason, logger: logger)
                break scan
            }
        }
        end = offset
        recordCount = count
    }

    /// Saves the invalid bytes from `offset` to a side file, then cuts them off.
    private func quarantineTail(from offset: Int, size: Int, reason: String, logger: Logger) throws {
        let tail = try readExactly(size - offset, at: offset)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let sidePath = "\(path).corrupt-\(now.tv_sec)"
        let side = Glibc.open(sidePath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard side >= 0 else { throw Self.ioError("open", sidePath) }
        defer { _ = Glibc.close(side) }
        let sideEnd = Int(lseek(side, 0, SEEK_END))
        try writeAll(tail, at: max(0, sideEnd), to: side)
        guard fdatasync(side) == 0 else { throw Self.ioError("fdatasync", sidePath) }
        guard ftruncate(fd, off_t(offset)) == 0, fdatasync(fd) == 0 else { throw Self.ioError("truncating", path) }
        logger.warning(
            "spool ends with an invalid record (a write torn by a crash, or damage); cut it off",
            metadata: [
                "path": "\(path)", "offset": "\(offset)", "bytes": "\(tail.count)", "reason": "\(reason)",
                "savedTo": "\(sidePath)",
            ])
    }

    private func readExactly(_ count: Int, at offset: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                pread(fd, buffer.baseAddress.map { $0 + done }, count - done, off_t(offset + done))
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                throw result == 0
                    ? StoreError(.spoolFailure, "\(path) ended early at offset \(offset + done)")
                    : Self.ioError("pread", path)
            }
            done += result
        }
        return bytes
    }

    private func writeAll(_ bytes: [UInt8], at offset: Int, to descriptor: Int32) throws {
        var done = 0
        while done < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                pwrite(descriptor, buffer.baseAddress.map { $0 + done }, bytes.count - done, off_t(offset + done))
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw Self.ioError("pwrite", path) }
            done += result
        }
    }

    /// Makes a created or renamed file's directory entry durable.
    private func syncDirectory() throws {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = Glibc.open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.ioError("open", directory) }
        defer { _ = Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw Self.ioError("fsync", directory) }
    }

    private static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    private static func errnoText() -> String {
        "\(String(cString: strerror(errno))), errno \(errno)"
    }

    private static func ioError(_ call: String, _ path: String) -> StoreError {
        StoreError(.spoolFailure, "\(call) \(path) failed: \(errnoText())")
    }
}
