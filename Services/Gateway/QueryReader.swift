import Domain
import Hummingbird

/// Reads a request's query parameters, refusing unknown and repeated names and collecting every bad value as a
/// ``FieldProblem`` naming the parameter.
struct QueryReader {
    private var values: [String: String] = [:]
    private(set) var problems: [FieldProblem] = []

    init(_ request: Request, allowed: Set<String>) {
        for (key, value) in request.uri.queryParameters {
            let name = String(key)
            guard allowed.contains(name) else {
                problems.append(FieldProblem(field: name, reason: "is not a known query parameter"))
                continue
            }
            guard values.updateValue(String(value), forKey: name) == nil else {
                problems.append(FieldProblem(field: name, reason: "is given more than once"))
                continue
            }
        }
    }

    mutating func problem(_ field: String, _ reason: String) {
        problems.append(FieldProblem(field: field, reason: reason))
    }

    func string(_ name: String) -> String? { values[name] }

    mutating func int(_ name: String, _ range: ClosedRange<Int>) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            problem(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func risk(_ name: String) -> RiskLevel? {
        guard let text = values[name] else { return nil }
        guard let risk = RiskLevel(rawValue: text) else {
            problem(name, "must be low, medium, high or critical")
            return nil
        }
        return risk
    }

    mutating func time(_ name: String) -> Int64? {
        guard let text = values[name] else { return nil }
        guard let millis = RFC3339.parseMillis(text) else {
            problem(name, "must be an RFC 3339 time such as 2024-05-01T13:45:10Z (encode + as %2B)")
            return nil
        }
        return millis
    }

    /// A 422 problem document when any parameter was refused.
    func invalid(_ requestID: String) -> ProblemDetails? {
        problems.isEmpty ? nil : ReviewProblem.invalid(problems, requestID: requestID)
    }
}
