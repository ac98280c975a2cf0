import Domain
import Wire

/// One decision as a request body carries it (`{"decision": "fraud", "note": "…", "override": false}`; in a bulk
/// request also `alert_id` and optionally `idempotency_key`), validated with every bad member named.
struct DecisionInput: Sendable, Equatable {
    var alertID: String?
    var decision: Decision
    var note: String
    var override: Bool
    var idempotencyKey: String?

    /// Why `key` is not a usable idempotency key (1–255 visible ASCII characters); nil when it is.
    static func keyProblem(_ key: String) -> String? {
        guard !key.isEmpty else { return "is required" }
        guard key.utf8.count <= ReviewLimits.keyLength, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return "must be 1 to \(ReviewLimits.keyLength) visible ASCII characters"
        }
        return nil
    }

    /// Decodes one decision object; `requireAlertID` for the items of a bulk request.
    static func decode(_ value: JSONValue, requireAlertID: Bool) -> Result<DecisionInput, DecisionProblems> {
        guard case .object(let members) = value else {
            return .failure(
                DecisionProblems([FieldProblem(field: "(body)", reason: "must be a JSON object, got \(value.typeName)")]
                ))
        }
        var problems: [FieldProblem] = []
        var input = DecisionInput(alertID: nil, decision: .unspecified, note: "", override: false)
        var sawDecision = false
        let known: Set<String> =
            requireAlertID
            ? ["alert_id", "decision", "note", "override", "idempotency_key"] : ["decision", "note", "override"]
        for (key, member) in members {
            guard known.contains(key) else {
                problems.append(FieldProblem(field: key, reason: "is not a known field"))
                continue
            }
            switch (key, member) {
            case ("decision", .string("fraud")):
                input.decision = .fraud
                sawDecision = true
            case ("decision", .string("legitimate")):
                input.decision = .legitimate
                sawDecision = true
            case ("decision", _):
                sawDecision = true
                problems.append(FieldProblem(field: "decision", reason: "must be \"fraud\" or \"legitimate\""))
            case ("note", .string(let note)):
                if note.count > ReviewLimits.noteLength {
                    problems.append(
                        FieldProblem(field: "note", reason: "must be at most \(ReviewLimits.noteLength) characters"))
                }
                input.note = note
            case ("note", .null):
                break
            case ("note", let other):
                problems.append(FieldProblem(field: "note", reason: "must be a string, got \(other.typeName)"))
            case ("override", .bool(let flag)):
                input.override = flag
            case ("override", let other):
                problems.append(FieldProblem(field: "override", reason: "must be a boolean, got \(other.typeName)"))
            case ("alert_id", .string(let id)):
                input.alertID = Self.alertID(id, &problems)
            case ("alert_id", .number(let n)):
                input.alertID = n == n.rounded() && n > 0 && n < 9e15 ? Self.alertID(String(Int64(n)), &problems) : nil
                if input.alertID == nil {
                    problems.append(FieldProblem(field: "alert_id", reason: "must be a positive whole number"))
                }
            case ("alert_id", let other):
                problems.append(
                    FieldProblem(field: "alert_id", reason: "must be a string or number, got \(other.typeName)"))
            case ("idempotency_key", .string(let key)):
                if let reason = keyProblem(key) {
                    problems.append(FieldProblem(field: "idempotency_key", reason: reason))
                } else {
                    input.idempotencyKey = key
                }
            case ("idempotency_key", let other):
                problems.append(
                    FieldProblem(field: "idempotency_key", reason: "must be a string, got \(other.typeName)"))
            default:
                break
            }
        }
        if !sawDecision { problems.append(FieldProblem(field: "decision", reason: "is required")) }
        if requireAlertID, input.alertID == nil, !problems.contains(where: { $0.field == "alert_id" }) {
            problems.append(FieldProblem(field: "alert_id", reason: "is required"))
        }
        return problems.isEmpty ? .success(input) : .failure(DecisionProblems(problems))
    }

    private static func alertID(_ text: String, _ problems: inout [FieldProblem]) -> String? {
        guard let id = Int64(text), id > 0 else {
            problems.append(FieldProblem(field: "alert_id", reason: "must be a positive whole number"))
            return nil
        }
        return String(id)
    }

    /// The RPC request for this decision by `analyst`.
    func request(alertID: String, analyst: String, key: String) -> ReviewDecideRequest {
        ReviewDecideRequest(
            alertID: alertID, decision: decision, note: note, analyst: analyst, idempotencyKey: key, override: override)
    }
}

/// What is wrong with a decision body, every bad member named.
struct DecisionProblems: Error, Sendable, Equatable {
    var problems: [FieldProblem]

    init(_ problems: [FieldProblem]) {
        self.problems = problems
    }
}
