import Domain
import Foundation

/// Analysts' decisions by transaction id: what supervised training learns from.
///
/// Read from a CSV `transaction_id,label` (`--labels FILE`; label `fraud`/`legitimate`, `1`/`0`, `true`/`false`,
/// case-insensitive) or built from the alerts table's decided alerts. A later line for the same id replaces an
/// earlier one (the latest decision wins).
public struct ReviewLabels: Sendable, Hashable {
    /// `true` for fraud, `false` for legitimate, by transaction id.
    public private(set) var byTransaction: [String: Bool]

    /// Labels from a dictionary.
    public init(_ byTransaction: [String: Bool] = [:]) { self.byTransaction = byTransaction }

    /// Number of labels, fraud and legitimate.
    public var count: Int { byTransaction.count }
    public var fraudCount: Int { byTransaction.values.filter { $0 }.count }

    /// Adds or replaces a decision.
    public mutating func set(_ transactionID: String, fraud: Bool) { byTransaction[transactionID] = fraud }

    /// Reads a label file (`.csv` or `.csv.gz`) with the header `transaction_id,label` (other columns ignored).
    ///
    /// Throws ``DetectionError/Code/invalidCSV`` naming the line for a missing column, an invalid id or an unknown
    /// label, and ``DetectionError/Code/fileAccess`` when the file cannot be read.
    public static func read(path: String) throws(DetectionError) -> ReviewLabels {
        let scanner = try CSVScanner(
            source: try ByteSource(path: path, chunkSize: 1 << 16), chunkSize: 1 << 16, maximumRecordBytes: 1 << 16)
        guard try scanner.nextRecord() else { throw DetectionError(.invalidCSV, "\(path) is empty; expected a header") }
        let header = (0..<scanner.fieldCount).map { text(scanner.record, $0).lowercased() }
        guard let idColumn = header.firstIndex(of: "transaction_id"), let labelColumn = header.firstIndex(of: "label")
        else {
            throw DetectionError(
                .invalidCSV, "\(path) line 1: the header needs transaction_id and label columns, got \(header)")
        }
        var labels = ReviewLabels()
        while try scanner.nextRecord() {
            let line = scanner.recordLine
            let record = scanner.record
            guard scanner.fieldCount > max(idColumn, labelColumn) else {
                throw DetectionError(.invalidCSV, "\(path) line \(line): expected \(header.count) fields")
            }
            let id = text(record, idColumn)
            guard TransactionRules.isValidIdentifier(id) else {
                throw DetectionError(
                    .invalidCSV,
                    "\(path) line \(line): transaction_id '\(id)' must be 1–64 characters of [A-Za-z0-9_.:-]")
            }
            let value = text(record, labelColumn).lowercased()
            switch value {
            case "fraud", "1", "true", "confirmed_fraud": labels.set(id, fraud: true)
            case "legitimate", "0", "false": labels.set(id, fraud: false)
            default:
                throw DetectionError(
                    .invalidCSV, "\(path) line \(line): label '\(value)' must be fraud/legitimate or 1/0")
            }
        }
        return labels
    }

    /// The labels aligned with `transactions` (`nil` where unlabelled) and the labelled ids found in none of them,
    /// sorted — reported to the user, never silently dropped.
    public func join(_ transactions: [Transaction]) -> (labels: [Bool?], unknownIDs: [String]) {
        var seen = Set<String>()
        let aligned = transactions.map { t -> Bool? in
            guard let label = byTransaction[t.transactionID] else { return nil }
            seen.insert(t.transactionID)
            return label
        }
        let unknown = byTransaction.keys.filter { !seen.contains($0) }.sorted()
        return (aligned, unknown)
    }

    private static func text(_ record: CSVRecordView, _ i: Int) -> String {
        String(decoding: record.bytes(of: i), as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }
}
