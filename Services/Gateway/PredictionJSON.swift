import Domain
import ServiceKit

/// What happened to the alert of a prediction, as the response reports it.
enum AlertOutcome: String, Sendable {
    /// Risk below medium: no alert.
    case none
    /// The alerts service acknowledged a durable write (PostgreSQL or its own spool).
    case recorded
    /// The alerts service was unreachable; the gateway spooled the record locally and will replay it.
    case queued
}

/// The JSON of one prediction (SPEC §6).
///
/// Rendered by hand once per prediction and cached in Redis as is; a cache hit only flips the trailing `cached` flag,
/// so the cached and the fresh answer are the same bytes otherwise.
enum PredictionJSON {
    private static let freshSuffix = "\"cached\":false}"
    private static let cachedSuffix = "\"cached\":true}"

    /// The response object for a fresh prediction (`"cached": false`).
    static func render(score: Score, degraded: Bool, alertStatus: AlertOutcome) -> String {
        var out = "{\"transaction_id\":\(JSONText.quoted(score.transactionID)),\"is_anomaly\":\(score.isAnomaly),"
        out += "\"risk_level\":\"\(score.riskLevel.rawValue)\",\"scores\":{"
        out += "\"isolation_forest\":\(JSONText.number(score.isolationForest)),"
        out += "\"autoencoder\":\(JSONText.number(score.autoencoder)),"
        out += "\"ensemble\":\(JSONText.number(score.ensemble))},\"reasons\":["
        out += score.reasons.map { reason in
            "{\"code\":\(JSONText.quoted(reason.code)),\"feature\":\(JSONText.quoted(reason.feature)),"
                + "\"value\":\(JSONText.number(reason.value)),\"text\":\(JSONText.quoted(reason.text))}"
        }.joined(separator: ",")
        out += "],\"model_version\":\(JSONText.quoted(score.modelVersion)),\"degraded\":\(degraded),"
        out += "\"alert_status\":\"\(alertStatus.rawValue)\","
        return out + freshSuffix
    }

    /// The same object marked as served from the cache.
    static func markedCached(_ json: String) -> String {
        guard json.hasSuffix(freshSuffix) else { return json }
        return String(json.dropLast(freshSuffix.count)) + cachedSuffix
    }
}
