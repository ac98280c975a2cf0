import Domain

/// Turns a JSON object into a ``Domain/Transaction``, naming every bad field (SPEC §2).
///
/// Unknown members are refused so typos are caught; type errors, range errors and missing required fields are all
/// collected, not just the first.
enum TransactionJSON {
    /// The outcome for one JSON item: a valid transaction or the problems with it.
    typealias Outcome = Result<Transaction, TransactionProblems>

    /// Decodes one transaction object.
    static func decode(_ value: JSONValue) -> Outcome {
        guard case .object(let members) = value else {
            return .failure(.init([FieldProblem(field: "(body)", reason: "must be a JSON object, got \(value.typeName)")]))
        }
        var problems: [FieldProblem] = []
        var fields: [String: JSONValue] = [:]
        for (key, member) in members {
            if TransactionRules.fieldNames.contains(key) {
                fields[key] = member
            } else {
                problems.append(FieldProblem(field: key, reason: "is not a known field"))
            }
        }
        func string(_ name: String, required: Bool) -> String? {
            switch fields[name] {
            case nil, .null?:
                if required { problems.append(FieldProblem(field: name, reason: "is required")) }
                return nil
            case .string(let s)?:
                return s
            case let other?:
                problems.append(FieldProblem(field: name, reason: "must be a string, got \(other.typeName)"))
                return nil
            }
        }
        func number(_ name: String, required: Bool) -> Double? {
            switch fields[name] {
            case nil, .null?:
                if required { problems.append(FieldProblem(field: name, reason: "is required")) }
                return nil
            case .number(let d)?:
                return d
            case let other?:
                problems.append(FieldProblem(field: name, reason: "must be a number, got \(other.typeName)"))
                return nil
            }
        }
        let transactionID = string("transaction_id", required: true)
        let userID = string("user_id", required: true)
        var timestamp: Int64?
        if let text = string("timestamp", required: true) {
            timestamp = RFC3339.parseMillis(text)
            if timestamp == nil {
                problems.append(
                    FieldProblem(field: "timestamp", reason: "must be an RFC 3339 time such as 2024-05-01T13:45:10Z"))
            }
        }
        let amount = number("amount", required: true)
        let currency = string("currency", required: false)
        let merchantID = string("merchant_id", required: false)
        let category = string("merchant_category", required: false)
        var channel: Channel?
        if let text = string("channel", required: false) {
            channel = Channel(rawValue: text)
            if channel == nil { problems.append(FieldProblem(field: "channel", reason: "must be pos, online or atm")) }
        }
        let latitude = number("latitude", required: false)
        let longitude = number("longitude", required: false)
        let country = string("country", required: false)

        // Placeholders stand in for missing required fields so the range rules still check everything else;
        // the missing fields themselves are already reported.
        let transaction = Transaction(
            transactionID: transactionID ?? "-", userID: userID ?? "-", timestampMillis: timestamp ?? 0,
            amount: amount ?? 0,
            currency: currency ?? "USD", merchantID: merchantID, merchantCategory: category, channel: channel,
            latitude: latitude, longitude: longitude, country: country)
        problems += TransactionRules.problems(in: transaction).filter { rule in
            !problems.contains { $0.field == rule.field }
        }
        return problems.isEmpty ? .success(transaction) : .failure(.init(problems))
    }
}

/// Every problem found in one input item.
struct TransactionProblems: Error, Sendable, Equatable {
    var problems: [FieldProblem]

    init(_ problems: [FieldProblem]) {
        self.problems = problems
    }
}
