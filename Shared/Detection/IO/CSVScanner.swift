import Foundation

/// An RFC 4180 record scanner working directly on bytes: finds the fields of one record at a time in a buffer
/// refilled in chunks from a ``ByteSource``, so no text is ever held whole and no `String` is made per line.
///
/// Quoted fields may hold commas, doubled quotes and line breaks; records end at LF or CRLF. Field contents stay
/// in the buffer (with doubled quotes still doubled, see ``Field/escapedQuotes``) until the next call to
/// ``nextRecord()``. Line numbers are physical lines (a quoted line break counts), 1 for the first line.
final class CSVScanner {
    /// Where one field's bytes are in ``buffer``.
    struct Field {
        var start: Int
        var end: Int
        /// The field was quoted and contains `""` pairs to unescape.
        var escapedQuotes: Bool
        /// Text followed the closing quote (`"ab"c`).
        var malformed: Bool
        /// The file ended inside this field's quotes.
        var unterminated: Bool
    }

    private let source: ByteSource
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var eof = false
    private let maximumRecordBytes: Int
    private var nextLine = 1

    /// Fields of the current record (the first ``fieldCount`` entries are valid), in manually managed storage:
    /// the scan writes a dozen fields per record, and array storage in a class would pay a dynamic exclusivity
    /// check on every write.
    private var fieldStorage: UnsafeMutablePointer<Field>
    private var fieldCapacity = 32
    private(set) var fieldCount = 0
    /// The line the current record starts on.
    private(set) var recordLine = 0

    init(source: ByteSource, chunkSize: Int, maximumRecordBytes: Int) throws(DetectionError) {
        self.source = source
        self.capacity = max(chunkSize, 16)
        self.maximumRecordBytes = max(maximumRecordBytes, capacity)
        self.buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        self.fieldStorage = UnsafeMutablePointer<Field>.allocate(capacity: fieldCapacity)
        try refill()
        if end - start >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
    }

    deinit {
        buffer.deallocate()
        fieldStorage.deallocate()
    }

    /// The current record's fields and the buffer their offsets refer to (valid until the next ``nextRecord()``).
    var record: CSVRecordView {
        CSVRecordView(fields: UnsafeBufferPointer(start: fieldStorage, count: fieldCount), base: UnsafePointer(buffer))
    }

    /// Raw bytes consumed from the input so far, and its size when known (for progress).
    var progress: (read: Int, total: Int?) { (source.rawBytesRead, source.totalBytes) }

    /// Whether the input is gzip.
    var isCompressed: Bool { source.isCompressed }

    /// Advances to the next record, skipping blank lines; `false` at the end of the input.
    func nextRecord() throws(DetectionError) -> Bool {
        while true {
            switch scan() {
            case .record:
                let f = fieldStorage[0]
                if fieldCount == 1, f.start == f.end, !f.unterminated, !f.malformed, !isQuoted(f) { continue }
                return true
            case .end:
                return false
            case .needMore:
                try refill()
            }
        }
    }

    /// An empty field is quoted when a quote sits just before it (`""` is an empty string, not a blank line).
    private func isQuoted(_ f: Field) -> Bool { f.start > 0 && buffer[f.start - 1] == quote }

    private enum Scan {
        case record
        case needMore
        case end
    }

    private let quote = UInt8(ascii: "\"")
    private let comma = UInt8(ascii: ",")
    private let lf = UInt8(ascii: "\n")
    private let cr = UInt8(ascii: "\r")

    /// Scans one record from `start`; on `.needMore` nothing is consumed and the record is rescanned after a
    /// refill (records are short, so rescanning costs less than keeping partial state).
    private func scan() -> Scan {
        let b = buffer
        let end = self.end
        let eof = self.eof
        var i = start
        var lines = 0
        var count = 0
        var storage = fieldStorage
        func append(_ f: Field) {
            if count == fieldCapacity {
                let bigger = UnsafeMutablePointer<Field>.allocate(capacity: fieldCapacity * 2)
                bigger.moveInitialize(from: storage, count: count)
                storage.deallocate()
                storage = bigger
                fieldStorage = bigger
                fieldCapacity *= 2
            }
            storage[count] = f
            count += 1
        }
        func finish(at next: Int, lines: Int) {
            fieldCount = count
            start = next
            recordLine = nextLine
            nextLine += lines
        }
        if i == end { return eof ? .end : .needMore }
        while true {
            var f = Field(start: i, end: i, escapedQuotes: false, malformed: false, unterminated: false)
            if i < end, b[i] == quote {
                i += 1
                f.start = i
                while true {
                    while i < end, b[i] != quote {
                        if b[i] == lf { lines += 1 }
                        i += 1
                    }
                    if i == end {
                        if !eof { return .needMore }
                        f.end = i
                        f.unterminated = true
                        append(f)
                        finish(at: i, lines: lines)
                        return .record
                    }
                    if i + 1 == end, !eof { return .needMore }
                    if i + 1 < end, b[i + 1] == quote {
                        f.escapedQuotes = true
                        i += 2
                        continue
                    }
                    f.end = i
                    i += 1
                    break
                }
                var j = i
                while j < end, b[j] != comma, b[j] != lf { j += 1 }
                if j == end, !eof { return .needMore }
                let extra = j - i
                if extra > 0, !(extra == 1 && b[i] == cr) { f.malformed = true }
                i = j
            } else {
                while i < end, b[i] != comma, b[i] != lf { i += 1 }
                if i == end, !eof { return .needMore }
                f.end = i
                if f.end > f.start, b[f.end - 1] == cr { f.end -= 1 }
            }
            append(f)
            if i == end {
                finish(at: i, lines: lines)
                return .record
            }
            if b[i] == comma {
                i += 1
                continue
            }
            finish(at: i + 1, lines: lines + 1)
            return .record
        }
    }

    private func refill() throws(DetectionError) {
        if start > 0 {
            let pendingCount = end - start
            if pendingCount > 0 { memmove(buffer, buffer + start, pendingCount) }
            end = pendingCount
            start = 0
        }
        if end == capacity {
            guard capacity < maximumRecordBytes else {
                throw DetectionError(
                    .invalidCSV,
                    "\(source.name): the record starting on line \(nextLine) is longer than \(maximumRecordBytes) "
                        + "bytes; is a quote left open?")
            }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: min(capacity * 2, maximumRecordBytes))
            bigger.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = bigger
            capacity = min(capacity * 2, maximumRecordBytes)
        }
        let n = try source.read(into: UnsafeMutableBufferPointer(start: buffer + end, count: capacity - end))
        if n == 0 { eof = true } else { end += n }
    }
}

/// The fields of one CSV record and the bytes they point into, valid until the scanner moves on.
struct CSVRecordView {
    let fields: UnsafeBufferPointer<CSVScanner.Field>
    let base: UnsafePointer<UInt8>

    /// The raw bytes of field `i` (doubled quotes still doubled when ``CSVScanner/Field/escapedQuotes``).
    func bytes(of i: Int) -> UnsafeBufferPointer<UInt8> {
        let f = fields[i]
        return UnsafeBufferPointer(start: base + f.start, count: f.end - f.start)
    }

    /// Whether field `i` is empty; `true` for a negative (absent) column.
    func isEmpty(_ i: Int) -> Bool { i < 0 || fields[i].start == fields[i].end }
}
