import Domain
import ServiceKit

/// An RFC 9457 problem document (`application/problem+json`), the body of every gateway error.
struct ProblemDetails: Error, Sendable {
    static let contentType = "application/problem+json"

    /// HTTP status code.
    var status: Int
    /// Short, stable summary of the problem type, e.g. "Invalid transaction".
    var title: String
    /// What went wrong in this request, for people.
    var detail: String
    /// Per-field problems (validation), empty otherwise.
    var errors: [FieldProblem] = []
    /// The request id, so a user can quote it.
    var requestID: String?
    /// Seconds a client should wait before retrying (429, 503).
    var retryAfterSeconds: Int?

    /// The JSON body.
    func json() -> String {
        var out = "{\"type\":\"about:blank\",\"title\":\(JSONText.quoted(title)),\"status\":\(status),"
        out += "\"detail\":\(JSONText.quoted(detail))"
        if !errors.isEmpty {
            var items = JSONWriter()
            items.fieldProblems(errors)
            out += ",\"errors\":" + items.text
        }
        if let requestID { out += ",\"request_id\":\(JSONText.quoted(requestID))" }
        return out + "}"
    }

    static func invalid(_ problems: [FieldProblem], requestID: String?) -> ProblemDetails {
        ProblemDetails(
            status: 422, title: "Invalid transaction",
            detail: problems.map(\.description).joined(separator: "; "), errors: problems, requestID: requestID)
    }

    static func badRequest(_ detail: String, requestID: String?) -> ProblemDetails {
        ProblemDetails(status: 400, title: "Malformed request", detail: detail, requestID: requestID)
    }

    static func tooLarge(_ detail: String, requestID: String?) -> ProblemDetails {
        ProblemDetails(status: 413, title: "Request too large", detail: detail, requestID: requestID)
    }

    static func unavailable(_ detail: String, requestID: String?) -> ProblemDetails {
        ProblemDetails(
            status: 503, title: "Service unavailable", detail: detail, requestID: requestID, retryAfterSeconds: 1)
    }

    static func unsupportedMediaType(_ detail: String, requestID: String?) -> ProblemDetails {
        ProblemDetails(status: 415, title: "Unsupported media type", detail: detail, requestID: requestID)
    }
}
