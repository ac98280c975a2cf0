import Domain
import Foundation

/// Writes RFC 4180 CSV to a file (plain or gzip) or to memory: generated data and scored output.
///
/// Fields holding a comma, quote, CR or LF are quoted with inner quotes doubled. A file is written to a temporary
/// name beside the target and renamed by ``close()``, so a crash or error never leaves a half-written file under
/// the real name. Not thread-safe: one writer, one task.
public final class CSVWriter {
    private enum Sink {
        case memory
        case file(handle: FileHandle, temporaryPath: String, finalPath: String)
    }

    private var sink: Sink
    private var deflater: Gzip.Deflater?
    private var encoder = RowEncoder()
    private var output: [UInt8] = []
    private var closed = false
    private static let flushThreshold = 1 << 20

    /// Writes to `path`; `compressed: nil` gzips when the name ends in `.gz`.
    /// - Throws: ``DetectionError/Code/fileAccess`` when the file cannot be created.
    public init(path: String, compressed: Bool? = nil) throws(DetectionError) {
        let temporary = "\(path).tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw DetectionError(
                .fileAccess, "cannot create \(path) (via \(temporary)); check that the directory exists and is writable"
            )
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            sink = .file(handle: handle, temporaryPath: temporary, finalPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw DetectionError(.fileAccess, "cannot open \(temporary) for writing: \(error.localizedDescription)")
        }
        if compressed ?? path.hasSuffix(".gz") { deflater = try Gzip.Deflater() }
        encoder.bytes.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// Writes to memory; read the result from ``close()``.
    public init(compressed: Bool = false) throws(DetectionError) {
        sink = .memory
        if compressed { deflater = try Gzip.Deflater() }
    }

    deinit {
        if case .file(let handle, let temporary, _) = sink, !closed {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
        }
    }

    /// The SPEC §2 header: transaction columns, then the label columns when `labels`, then `extra`.
    public static func header(labels: Bool, extra: [String] = []) -> [String] {
        TransactionRules.fieldNames + (labels ? TransactionRules.labelNames : []) + extra
    }

    /// Writes a whole row of text fields.
    public func writeRow(_ fields: [String]) throws(DetectionError) {
        withRow { row in
            for f in fields { row.append(field: f) }
        }
        try endRow()
    }

    /// Writes a transaction in ``header(labels:extra:)`` column order, its label when `labels` (an empty label
    /// for `nil`), then `extra` fields.
    public func write(_ t: Transaction, label: AnomalyLabel?, labels: Bool, extra: [String] = []) throws(DetectionError)
    {
        withRow { row in
            row.append(field: t.transactionID)
            row.append(field: t.userID)
            row.append(timestamp: t.timestampMillis)
            row.append(number: t.amount)
            row.append(field: t.currency)
            row.append(field: t.merchantID ?? "")
            row.append(field: t.merchantCategory ?? "")
            row.append(field: t.channel?.rawValue ?? "")
            if let lat = t.latitude { row.append(number: lat) } else { row.append(field: "") }
            if let lon = t.longitude { row.append(number: lon) } else { row.append(field: "") }
            row.append(field: t.country ?? "")
            if labels {
                row.append(field: label.map { $0.isAnomaly ? "1" : "0" } ?? "")
                row.append(field: label?.anomalyType ?? "")
            }
            for f in extra { row.append(field: f) }
        }
        try endRow()
    }

    // MARK: - Field-level writing

    /// Appends a text field, quoting it when needed.
    public func append(field: String) { withRow { $0.append(field: field) } }

    /// Appends a number in its shortest plain form with at most 6 decimals (`12.5`, `-33.86785`), falling back
    /// to Swift's shortest round-trip form; the text always parses back to exactly `value`.
    public func append(number value: Double) { withRow { $0.append(number: value) } }

    /// Appends an integer field.
    public func append(integer value: Int) { withRow { $0.append(integer: value) } }

    /// Appends an RFC 3339 UTC timestamp (`2024-05-01T13:45:10Z`, with `.250` when there are milliseconds).
    public func append(timestamp millis: Int64) { withRow { $0.append(timestamp: millis) } }

    /// Ends the current row (LF).
    public func endRow() throws(DetectionError) {
        withRow { $0.endRow() }
        if encoder.bytes.count >= Self.flushThreshold { try flush(finish: false) }
    }

    /// Runs `body` on the row encoder moved out of the object, so the per-byte work is on a local value
    /// (a class's stored array would pay a dynamic exclusivity check per byte).
    private func withRow(_ body: (inout RowEncoder) -> Void) {
        var local = RowEncoder()
        swap(&local, &encoder)
        body(&local)
        swap(&local, &encoder)
    }

    /// Flushes everything, finishes gzip, and for a file renames it into place; returns the bytes for a memory
    /// writer (empty for a file). Writing after `close()` is a programming error.
    @discardableResult
    public func close() throws(DetectionError) -> [UInt8] {
        guard !closed else { return output }
        try flush(finish: true)
        closed = true
        if case .file(let handle, let temporary, let final) = sink {
            do {
                try handle.synchronize()
                try handle.close()
                if FileManager.default.fileExists(atPath: final) { try FileManager.default.removeItem(atPath: final) }
                try FileManager.default.moveItem(atPath: temporary, toPath: final)
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                throw DetectionError(.fileAccess, "cannot finish writing \(final): \(error.localizedDescription)")
            }
        }
        return output
    }

    private func flush(finish: Bool) throws(DetectionError) {
        guard !closed else { return }
        let chunk: [UInt8]
        if let deflater {
            var compressed: [UInt8] = []
            try encoder.bytes.withUnsafeBufferPointer { b throws(DetectionError) in
                try deflater.deflate(b, finish: finish, appendingTo: &compressed)
            }
            chunk = compressed
        } else {
            chunk = encoder.bytes
        }
        encoder.bytes.removeAll(keepingCapacity: true)
        switch sink {
        case .memory:
            output.append(contentsOf: chunk)
        case .file(let handle, _, let final):
            do {
                try handle.write(contentsOf: chunk)
            } catch {
                throw DetectionError(.fileAccess, "cannot write \(final): \(error.localizedDescription)")
            }
        }
    }
}

/// Encodes CSV fields into bytes: quoting, numbers, timestamps. A value type so ``CSVWriter`` can work on it as a
/// local.
struct RowEncoder {
    var bytes: [UInt8] = []
    private var fieldsInRow = 0
    private var cachedDay = Int64.min
    private var cachedDayPrefix: [UInt8] = []

    mutating func append(field: String) {
        separate()
        var text = field
        text.withUTF8 { utf8 in
            var needsQuotes = false
            for b in utf8 where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D {
                needsQuotes = true
                break
            }
            guard needsQuotes else {
                bytes.append(contentsOf: utf8)
                return
            }
            bytes.append(0x22)
            for b in utf8 {
                bytes.append(b)
                if b == 0x22 { bytes.append(0x22) }
            }
            bytes.append(0x22)
        }
    }

    mutating func append(number value: Double) {
        separate()
        guard value.isFinite else {
            bytes.append(contentsOf: value.description.utf8)
            return
        }
        var scale = 1.0
        for decimals in 0...6 {
            let scaled = (value * scale).rounded()
            if abs(scaled) < 1e15, scaled / scale == value {
                appendFixed(Int64(scaled), decimals: decimals)
                return
            }
            scale *= 10
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    mutating func append(integer value: Int) {
        separate()
        appendDigits(UInt64(value.magnitude), minimumDigits: 1, negative: value < 0)
    }

    mutating func append(timestamp millis: Int64) {
        separate()
        let day = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        if day != cachedDay {
            let text = Array(RFC3339.format(millis: day * 86_400_000).utf8)
            guard text.count == 20 else {
                bytes.append(contentsOf: RFC3339.format(millis: millis).utf8)
                return
            }
            cachedDay = day
            cachedDayPrefix = Array(text[0..<11])
        }
        bytes.append(contentsOf: cachedDayPrefix)
        let msOfDay = millis - day * 86_400_000
        let seconds = msOfDay / 1000
        appendDigits(UInt64(seconds / 3600), minimumDigits: 2, negative: false)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(UInt64(seconds / 60 % 60), minimumDigits: 2, negative: false)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(UInt64(seconds % 60), minimumDigits: 2, negative: false)
        if msOfDay % 1000 != 0 {
            bytes.append(UInt8(ascii: "."))
            appendDigits(UInt64(msOfDay % 1000), minimumDigits: 3, negative: false)
        }
        bytes.append(UInt8(ascii: "Z"))
    }

    mutating func endRow() {
        bytes.append(0x0A)
        fieldsInRow = 0
    }

    private mutating func separate() {
        if fieldsInRow > 0 { bytes.append(0x2C) }
        fieldsInRow += 1
    }

    private mutating func appendFixed(_ scaled: Int64, decimals: Int) {
        let magnitude = scaled.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<decimals { divisor *= 10 }
        appendDigits(magnitude / divisor, minimumDigits: 1, negative: scaled < 0)
        if decimals > 0 {
            bytes.append(UInt8(ascii: "."))
            appendDigits(magnitude % divisor, minimumDigits: decimals, negative: false)
        }
    }

    /// Decimal digits of `value`, zero-padded to `minimumDigits` (at most 20).
    private mutating func appendDigits(_ value: UInt64, minimumDigits: Int, negative: Bool) {
        if negative { bytes.append(UInt8(ascii: "-")) }
        var divisor: UInt64 = 1
        var digits = 1
        while digits < 20, divisor <= value / 10 {
            divisor *= 10
            digits += 1
        }
        for _ in digits..<max(digits, min(minimumDigits, 20)) { bytes.append(UInt8(ascii: "0")) }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(48 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
