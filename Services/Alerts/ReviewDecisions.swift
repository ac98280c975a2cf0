import Domain
import Foundation
import Stores
import Wire

/// Records analysts' decisions: each in one PostgreSQL transaction that checks the idempotency key, locks the
/// alert, refuses a silent change of an existing decision, writes the override audit row, and stores the answer
/// under the key.
///
/// Rules:
/// - same idempotency key (per analyst) and same request → the stored first answer, `replayed` set;
///   same key and a different request → `FAILED_PRECONDITION`;
/// - a pending alert under another analyst's live claim → `ABORTED`;
/// - the same decision again → the alert unchanged (no second write);
/// - a different decision on a decided alert → `ABORTED`, unless `override`, which writes a `decision_overrides`
///   row (who, when, from, to, note and the previous decision's note, analyst and time).
struct ReviewDecisions: Sendable {
    let database: PostgresClient
    let policy: ReviewPolicy

    /// Most decisions in one `DecideMany`.
    static let maximumBulk = 500
    /// Longest note, in characters.
    static let maximumNoteLength = 4000
    /// Longest idempotency key, in bytes.
    static let maximumKeyLength = 255

    func decide(_ request: ReviewDecideRequest) async throws -> ReviewDecideResponse {
        let id = try ReviewService.alertID(request.alertID)
        let analyst = try ReviewService.analyst(request.analyst)
        let status: String
        switch request.decision {
        case .fraud: status = "confirmed_fraud"
        case .legitimate: status = "legitimate"
        default: throw RPCError(code: .invalidArgument, message: "decision must be fraud or legitimate")
        }
        guard request.note.count <= Self.maximumNoteLength else {
            throw RPCError(
                code: .invalidArgument, message: "note must be at most \(Self.maximumNoteLength) characters")
        }
        guard request.idempotencyKey.utf8.count <= Self.maximumKeyLength else {
            throw RPCError(
                code: .invalidArgument, message: "idempotency_key must be at most \(Self.maximumKeyLength) bytes")
        }
        let key = request.idempotencyKey
        return try await database.withTransaction { tx in
            if !key.isEmpty,
                let earlier = try await claimKey(key, analyst: analyst, id: id, status: status, request, tx)
            {
                return earlier
            }
            let current = try await tx.query(
                """
                SELECT status, decision_note, decided_by, decided_at,
                    CASE WHEN claim_expires_at > now() THEN claimed_by END AS claimant
                FROM alerts WHERE alert_id = $1 FOR UPDATE
                """, [PostgresValue(id)])
            guard let row = current.first else { throw RPCError(code: .notFound, message: "no alert \(id)") }
            let from = try row.string("status") ?? "pending"
            var overridden = false
            if from == "pending" {
                if let claimant = try row.string("claimant"), claimant != analyst {
                    throw RPCError(
                        code: .aborted, message: "alert \(id) is claimed by \(claimant); only they can decide it now")
                }
            } else if from != status {
                guard request.override else {
                    throw RPCError(
                        code: .aborted,
                        message: "alert \(id) is already decided \(from) by \(try row.string("decided_by") ?? "?"); "
                            + "send override: true to change the decision (it is audited)")
                }
                try await tx.execute(
                    """
                    INSERT INTO decision_overrides
                        (alert_id, analyst, from_status, to_status, note, previous_note, previous_analyst,
                         previous_decided_at)
                    SELECT alert_id, $2, status, $3, $4, decision_note, decided_by, decided_at
                    FROM alerts WHERE alert_id = $1
                    """,
                    [PostgresValue(id), PostgresValue(analyst), PostgresValue(status), PostgresValue(request.note)])
                overridden = true
            }
            if from != status {
                try await tx.execute(
                    """
                    UPDATE alerts SET status = $2, decision_note = $3, decided_by = $4, decided_at = now(),
                        claimed_by = NULL, claim_expires_at = NULL
                    WHERE alert_id = $1
                    """,
                    [PostgresValue(id), PostgresValue(status), PostgresValue(request.note), PostgresValue(analyst)])
                // PagerDuty incidents of an alert decided legitimate are resolved (same dedup_key), atomically with it.
                if status == "legitimate" {
                    _ = try await NotificationOutbox.enqueueResolutions(alertID: id, in: tx)
                }
            }
            let response = ReviewDecideResponse(
                item: try await ReviewQueue.item(id: id, in: tx, policy: policy), overridden: overridden)
            if !key.isEmpty {
                try await tx.execute(
                    "UPDATE review_decision_requests SET response = $3 WHERE analyst = $1 AND idempotency_key = $2",
                    [PostgresValue(analyst), PostgresValue(key), PostgresValue(bytes: try response.serialized())])
            }
            return response
        }
    }

    /// Takes `key` for this request, or answers from an earlier request with the same key: the stored answer when
    /// the request is the same, `FAILED_PRECONDITION` when it differs. A concurrent request with the same key waits
    /// on the key's row until the first one commits or rolls back.
    private func claimKey(
        _ key: String, analyst: String, id: Int64, status: String, _ request: ReviewDecideRequest,
        _ tx: PostgresTransaction
    ) async throws -> ReviewDecideResponse? {
        let inserted = try await tx.execute(
            """
            INSERT INTO review_decision_requests (analyst, idempotency_key, alert_id, decision, note, override)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
            """,
            [
                PostgresValue(analyst), PostgresValue(key), PostgresValue(id), PostgresValue(status),
                PostgresValue(request.note), PostgresValue(request.override),
            ])
        guard inserted == 0 else { return nil }
        let rows = try await tx.query(
            """
            SELECT alert_id, decision, note, override, response FROM review_decision_requests
            WHERE analyst = $1 AND idempotency_key = $2
            """, [PostgresValue(analyst), PostgresValue(key)])
        guard let row = rows.first, let stored = try row.bytes("response") else {
            throw RPCError(code: .aborted, message: "a request with Idempotency-Key \(key) is in progress; retry")
        }
        let same =
            try row.int64("alert_id") == id && row.string("decision") == status && row.string("note") == request.note
            && row.bool("override") == request.override
        guard same else {
            throw RPCError(
                code: .failedPrecondition,
                message: "Idempotency-Key \(key) was already used for a different request (alert "
                    + "\(try row.int64("alert_id") ?? 0), decision \(try row.string("decision") ?? "?")); use a new key"
            )
        }
        var answer = try ReviewDecideResponse(serializedBytes: stored)
        answer.replayed = true
        return answer
    }
}
