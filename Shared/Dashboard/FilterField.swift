import Domain

/// A filter of the queue or log pages: its value as typed, and the API's complaint about it, if any.
struct FilterField {
    var name: String
    var value: String
    var error: String?

    /// One option of a `<select>` filter.
    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    /// The risk levels as options (`any` first), the current one selected.
    static func riskOptions(_ current: String) -> [Option] {
        [Option(value: "", label: "any", selected: current.isEmpty)]
            + RiskLevel.allCases.map {
                Option(value: $0.rawValue, label: $0.rawValue, selected: current == $0.rawValue)
            }
    }

    /// The fields named in the API's 422 `errors`, keyed by query parameter (`name reason`, the API's words).
    static func errors(in reply: DashboardReply) -> (general: String?, byField: [String: String]) {
        guard reply.status != 200 else { return (nil, [:]) }
        let problem = APIDocuments.problem(in: reply)
        var byField: [String: String] = [:]
        for error in problem.errors ?? [] { byField[error.field] = "\(error.field) \(error.reason)" }
        return ("\(problem.title): \(problem.detail)", byField)
    }
}
