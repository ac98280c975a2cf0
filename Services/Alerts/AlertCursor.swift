import Foundation
import Wire

/// The position after the last alert of a `ListAlerts` page (newest first: creation time, then id), handed to
/// clients as an opaque base64url token (`next_cursor`).
struct AlertCursor: Sendable, Hashable {
    /// The last alert's creation time, Unix microseconds (PostgreSQL's precision, so no alert is skipped or
    /// repeated between pages).
    var createdMicros: Int64
    /// The last alert's id, breaking ties between alerts created in the same microsecond.
    var alertID: Int64

    init(createdMicros: Int64, alertID: Int64) {
        self.createdMicros = createdMicros
        self.alertID = alertID
    }

    /// Decodes a token from ``encoded``; `INVALID_ARGUMENT` for anything else.
    init(encoded: String) throws {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        let parts = Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) }?
            .split(separator: ".", omittingEmptySubsequences: false)
        guard encoded.utf8.count <= 100, let parts, parts.count == 3, parts[0] == "a1", let micros = Int64(parts[1]),
            let id = Int64(parts[2]), id > 0
        else {
            throw RPCError(code: .invalidArgument, message: "cursor is not a next_cursor this API returned")
        }
        self.init(createdMicros: micros, alertID: id)
    }

    /// The opaque token.
    var encoded: String {
        Data("a1.\(createdMicros).\(alertID)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
