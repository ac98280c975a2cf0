import Foundation

/// A forward-only stream of bytes from a file or memory, transparently gunzipped when the data starts with the gzip
/// magic bytes (`1f 8b`), whatever the file is called.
final class ByteSource {
    private enum Origin {
        case file(FileHandle)
        case memory([UInt8], offset: Int)
    }

    private var origin: Origin
    private var inflater: Gzip.Inflater?
    /// Raw (possibly compressed) bytes read but not yet consumed.
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var rawEOF = false
    private var memberOpen = false
    private let chunkSize: Int
    /// Where the data comes from, for messages.
    let name: String

    /// Raw bytes taken from the file or memory so far (for progress against ``totalBytes``).
    private(set) var rawBytesRead = 0
    /// Size of the raw input, when known.
    let totalBytes: Int?
    /// Whether the input is gzip.
    var isCompressed: Bool { inflater != nil }

    init(path: String, chunkSize: Int) throws(DetectionError) {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } catch {
            throw DetectionError(.fileAccess, "cannot open \(path) for reading: \(error.localizedDescription)")
        }
        origin = .file(handle)
        name = path
        self.chunkSize = chunkSize
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber
        totalBytes = size?.intValue
        try detectCompression()
    }

    init(bytes: [UInt8], name: String, chunkSize: Int) throws(DetectionError) {
        origin = .memory(bytes, offset: 0)
        self.name = name
        self.chunkSize = chunkSize
        totalBytes = bytes.count
        try detectCompression()
    }

    deinit {
        if case .file(let handle) = origin { try? handle.close() }
    }

    private func detectCompression() throws(DetectionError) {
        try refillRaw(atLeast: 2)
        let magic = pending.withUnsafeBufferPointer {
            Gzip.hasMagic(UnsafeBufferPointer(rebasing: $0[pendingOffset...]))
        }
        if magic {
            inflater = try Gzip.Inflater()
            memberOpen = true
        }
    }

    /// Reads raw bytes until at least `minimum` are pending or the input ends.
    private func refillRaw(atLeast minimum: Int = 1) throws(DetectionError) {
        while pending.count - pendingOffset < minimum, !rawEOF {
            if pendingOffset > 0 {
                pending.removeFirst(pendingOffset)
                pendingOffset = 0
            }
            let chunk: [UInt8]
            switch origin {
            case .file(let handle):
                do {
                    chunk = [UInt8](try handle.read(upToCount: chunkSize) ?? Data())
                } catch {
                    throw DetectionError(.fileAccess, "cannot read \(name): \(error.localizedDescription)")
                }
            case .memory(let bytes, let offset):
                let end = min(bytes.count, offset + chunkSize)
                chunk = Array(bytes[offset..<end])
                origin = .memory(bytes, offset: end)
            }
            if chunk.isEmpty {
                rawEOF = true
            } else {
                rawBytesRead += chunk.count
                pending.append(contentsOf: chunk)
            }
        }
    }

    /// Fills `buffer` with up to `buffer.count` bytes; returns how many, 0 only at the end of the data.
    func read(into buffer: UnsafeMutableBufferPointer<UInt8>) throws(DetectionError) -> Int {
        guard !buffer.isEmpty else { return 0 }
        try refillRaw()
        guard let inflater else {
            let n = min(buffer.count, pending.count - pendingOffset)
            pending.withUnsafeBufferPointer { src in
                if n > 0, let dst = buffer.baseAddress, let from = src.baseAddress {
                    dst.update(from: from + pendingOffset, count: n)
                }
            }
            pendingOffset += n
            return n
        }
        var produced = 0
        while produced == 0 {
            try refillRaw()
            if pendingOffset == pending.count {
                guard !memberOpen else {
                    throw DetectionError(
                        .corruptCompressedData, "\(name): gzip data is truncated (the file ends mid-stream)")
                }
                return 0
            }
            if !memberOpen {
                // Bytes after a finished member: another member (as `cat a.gz b.gz` makes), else refuse them
                // rather than silently ignore data.
                try refillRaw(atLeast: 2)
                let magic = pending.withUnsafeBufferPointer {
                    Gzip.hasMagic(UnsafeBufferPointer(rebasing: $0[pendingOffset...]))
                }
                guard magic else {
                    throw DetectionError(
                        .corruptCompressedData, "\(name): unexpected data after the end of the gzip stream")
                }
                inflater.reset()
                memberOpen = true
            }
            let step = try pending.withUnsafeBufferPointer { src throws(DetectionError) in
                try inflater.inflate(
                    input: UnsafeBufferPointer(rebasing: src[pendingOffset...]),
                    output: UnsafeMutableBufferPointer(rebasing: buffer[produced...]))
            }
            pendingOffset += step.consumed
            produced += step.produced
            if step.memberEnded { memberOpen = false }
            if step.consumed == 0, step.produced == 0, !step.memberEnded {
                // zlib needs more input than is pending.
                if rawEOF {
                    throw DetectionError(
                        .corruptCompressedData, "\(name): gzip data is truncated (the file ends mid-stream)")
                }
                try refillRaw(atLeast: pending.count - pendingOffset + 1)
            }
        }
        return produced
    }
}
