/// A problem with one field of an input, named so a person can fix it.
public struct FieldProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The field's external name, e.g. `amount` or `latitude`.
    public var field: String
    /// Why the value was refused, e.g. "must be between 0 and 1e9".
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}

/// The validation rules of SPEC §2, shared by the REST gateway and the CSV reader.
public enum TransactionRules {
    /// Largest accepted amount.
    public static let maximumAmount = 1e9
    /// Field names accepted in JSON and CSV, in the CSV header's order.
    public static let fieldNames = [
        "transaction_id", "user_id", "timestamp", "amount", "currency", "merchant_id", "merchant_category",
        "channel", "latitude", "longitude", "country",
    ]
    /// Label columns accepted in CSV for training and evaluation.
    public static let labelNames = ["is_anomaly", "anomaly_type"]

    /// True for 1–64 characters of `[A-Za-z0-9_.:-]` (transaction and user ids).
    public static func isValidIdentifier(_ s: String) -> Bool {
        var count = 0
        for c in s.utf8 {
            count += 1
            guard count <= 64 else { return false }
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"),
                UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return count > 0
    }

    /// True for `count` upper-case ASCII letters (ISO 4217 currency: 3; ISO 3166-1 alpha-2 country: 2).
    public static func isUpperCode(_ s: String, count: Int) -> Bool {
        s.utf8.count == count && s.utf8.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    /// Free-text fields (merchant id and category) must be short and free of control characters (NUL included,
    /// which the C protobuf runtime would silently cut). Length in Unicode scalars, as JSON Schema's `maxLength`
    /// counts (the OpenAPI document says 128).
    public static func isValidText(_ s: String, maxLength: Int = 128) -> Bool {
        s.unicodeScalars.count <= maxLength && !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// Every rule a decoded transaction breaks; empty when it is valid.
    public static func problems(in t: Transaction) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if !isValidIdentifier(t.transactionID) {
            problems.append(.init(field: "transaction_id", reason: "must be 1–64 characters of A-Z a-z 0-9 _ . : -"))
        }
        if !isValidIdentifier(t.userID) {
            problems.append(.init(field: "user_id", reason: "must be 1–64 characters of A-Z a-z 0-9 _ . : -"))
        }
        if !t.amount.isFinite || t.amount < 0 || t.amount > maximumAmount {
            problems.append(.init(field: "amount", reason: "must be a finite number between 0 and 1e9"))
        }
        if !isUpperCode(t.currency, count: 3) {
            problems.append(.init(field: "currency", reason: "must be an ISO 4217 code such as USD"))
        }
        if let m = t.merchantID, !isValidText(m) {
            problems.append(.init(field: "merchant_id", reason: "must be at most 128 characters without control characters"))
        }
        if let c = t.merchantCategory, !isValidText(c) {
            problems.append(
                .init(field: "merchant_category", reason: "must be at most 128 characters without control characters"))
        }
        switch (t.latitude, t.longitude) {
        case (nil, nil):
            break
        case (let lat?, let lon?):
            if !lat.isFinite || lat < -90 || lat > 90 {
                problems.append(.init(field: "latitude", reason: "must be between -90 and 90"))
            }
            if !lon.isFinite || lon < -180 || lon > 180 {
                problems.append(.init(field: "longitude", reason: "must be between -180 and 180"))
            }
        case (nil, _):
            problems.append(.init(field: "latitude", reason: "is required when longitude is given"))
        case (_, nil):
            problems.append(.init(field: "longitude", reason: "is required when latitude is given"))
        }
        if let c = t.country, !isUpperCode(c, count: 2) {
            problems.append(.init(field: "country", reason: "must be an ISO 3166-1 alpha-2 code such as US"))
        }
        return problems
    }
}
