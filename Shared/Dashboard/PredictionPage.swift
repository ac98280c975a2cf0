import Domain
import Foundation
import ServiceKit

/// The Single prediction page: a form with every transaction field (SPEC §2) and, after a submission, either the
/// API's per-field messages next to the fields or the prediction with its risk badge, scores and reasons.
struct PredictionPage {
    /// One choice of a select field.
    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    /// One form field.
    struct Field {
        var name: String
        var label: String
        var value: String
        var hint: String
        var required: Bool
        var inputMode: String
        var errors: [String]
        var options: [Option]
        // Stored, not computed: Mustache reads properties through Mirror.
        var isSelect: Bool
        var hasErrors: Bool
    }

    /// One of the three scores.
    struct ScoreRow {
        var name: String
        var value: String
    }

    /// A prediction as shown.
    struct Result {
        var transactionID: String
        var riskLevel: String
        var verdict: String
        var scores: [ScoreRow]
        var reasons: [String]
        var hasReasons: Bool
        var cached: Bool
        var modelVersion: String
        var alertStatus: String
    }

    var csrfToken: String
    var fields: [Field]
    var problems: [String]
    var result: Result?

    /// Field names, labels, hints; `numeric` fields are sent to the API as JSON numbers when they parse as one.
    static let fieldSpecs: [(name: String, label: String, hint: String, required: Bool, numeric: Bool)] = [
        ("transaction_id", "Transaction id", "1–64 of A–Z a–z 0–9 _ . : -", true, false),
        ("user_id", "User id", "1–64 of A–Z a–z 0–9 _ . : -", true, false),
        ("timestamp", "Time", "RFC 3339, e.g. 2024-05-01T13:45:10Z", true, false),
        ("amount", "Amount", "0 to 1e9", true, true),
        ("currency", "Currency", "ISO 4217 code, default USD", false, false),
        ("merchant_id", "Merchant id", "optional", false, false),
        ("merchant_category", "Merchant category", "e.g. grocery, travel", false, false),
        ("channel", "Channel", "pos, online or atm", false, false),
        ("latitude", "Latitude", "−90 to 90", false, true),
        ("longitude", "Longitude", "−180 to 180", false, true),
        ("country", "Country", "ISO 3166 alpha-2, e.g. US", false, false),
    ]

    /// The empty form, prefilled with an example transaction at `now` (RFC 3339).
    static func example(csrfToken: String, transactionID: String, now: String) -> PredictionPage {
        let values = [
            "transaction_id": transactionID, "user_id": "user_00042", "timestamp": now, "amount": "42.50",
            "currency": "USD", "merchant_id": "", "merchant_category": "grocery", "channel": "pos",
            "latitude": "40.7128", "longitude": "-74.0060", "country": "US",
        ]
        return PredictionPage(csrfToken: csrfToken, values: values, reply: nil)
    }

    /// The form filled with `values` and, when given, the API's answer to them.
    init(csrfToken: String, values: [String: String], reply: DashboardReply?) {
        self.csrfToken = csrfToken
        var fieldErrors: [String: [String]] = [:]
        var problems: [String] = []
        var result: Result?
        if let reply {
            if reply.status == 200, let p = APIDocuments.decode(APIDocuments.Prediction.self, from: reply.body) {
                result = Self.result(p)
            } else {
                let problem = APIDocuments.problem(in: reply)
                let known = Set(Self.fieldSpecs.map(\.name))
                for error in problem.errors ?? [] {
                    if known.contains(error.field) {
                        fieldErrors[error.field, default: []].append("\(error.field) \(error.reason)")
                    } else {
                        problems.append("\(error.field) \(error.reason)")
                    }
                }
                if problem.errors?.isEmpty ?? true { problems.append("\(problem.title): \(problem.detail)") }
            }
        }
        self.problems = problems
        self.result = result
        fields = Self.fieldSpecs.map { spec in
            let value = values[spec.name] ?? ""
            let options =
                spec.name == "channel"
                ? [Option(value: "", label: "(none)", selected: value.isEmpty)]
                    + Channel.allCases.map {
                        Option(value: $0.rawValue, label: $0.rawValue, selected: value == $0.rawValue)
                    }
                : []
            return Field(
                name: spec.name, label: spec.label, value: value, hint: spec.hint, required: spec.required,
                inputMode: spec.numeric ? "decimal" : "text", errors: fieldErrors[spec.name] ?? [], options: options,
                isSelect: !options.isEmpty, hasErrors: fieldErrors[spec.name] != nil)
        }
    }

    /// The `POST /predict` body for submitted `values`: empty fields are left out (as a client would omit them),
    /// numeric fields that parse as numbers are sent as numbers, everything else as strings, so the API's own
    /// validation judges the input and its messages are the ones shown.
    static func requestJSON(_ values: [String: String]) -> [UInt8] {
        var out = JSONWriter(capacity: 512)
        out.raw("{")
        var first = true
        for spec in fieldSpecs {
            guard let raw = values[spec.name] else { continue }
            let value = raw.trimmingCharacters(in: .whitespaces)
            if value.isEmpty { continue }
            if !first { out.raw(",") }
            first = false
            out.string(spec.name)
            out.raw(":")
            if spec.numeric, let number = Double(value), number.isFinite {
                out.number(number)
            } else {
                out.string(value)
            }
        }
        out.raw("}")
        return out.bytes
    }

    private static func result(_ p: APIDocuments.Prediction) -> Result {
        Result(
            transactionID: p.transactionID, riskLevel: p.riskLevel,
            verdict: p.isAnomaly ? "Anomaly" : "Looks normal",
            scores: [
                ScoreRow(name: "Isolation Forest", value: DashboardFormat.score(p.scores.isolationForest)),
                ScoreRow(name: "Autoencoder", value: DashboardFormat.score(p.scores.autoencoder)),
                ScoreRow(name: "Ensemble", value: DashboardFormat.score(p.scores.ensemble)),
            ],
            reasons: p.reasons.map { Self.sentence($0.text) }, hasReasons: !p.reasons.isEmpty, cached: p.cached,
            modelVersion: p.modelVersion, alertStatus: p.alertStatus ?? "none")
    }

    /// A reason's text as a sentence: capital first letter, final full stop.
    static func sentence(_ text: String) -> String {
        guard let first = text.first else { return text }
        let body = first.uppercased() + text.dropFirst()
        return body.hasSuffix(".") ? body : body + "."
    }
}
