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
    private static let freshSuffix = Array("\"cached\":false}".utf8)
    private static let cachedSuffix = Array("\"cached\":true}".utf8)

    /// The response object for a fresh prediction (`"cached": false`).
    static func render(score: Score, degraded: Bool, alertStatus: AlertOutcome) -> [UInt8] {
        var out = JSONWriter(capacity: 768)
        out.raw("{\"transaction_id\":")
        out.string(score.transactionID)
        out.raw(",\"is_anomaly\":")
        out.bool(score.isAnomaly)
        out.raw(",\"risk_level\":\"\(score.riskLevel.rawValue)\",\"scores\":{\"isolation_forest\":")
        out.number(score.isolationForest)
        out.raw(",\"autoencoder\":")
        out.number(score.autoencoder)
        out.raw(",\"ensemble\":")
        out.number(score.ensemble)
        if let supervised = score.supervised {
            out.raw(",\"supervised\":")
            out.number(supervised)
        }
        out.raw("},\"reasons\":")
        out.reasons(score.reasons)
        out.raw(",\"model_version\":")
        out.string(score.modelVersion)
        out.raw(",\"degraded\":")
        out.bool(degraded)
        out.raw(",\"alert_status\":\"\(alertStatus.rawValue)\",")
        out.raw(bytes: freshSuffix)
        return out.bytes
    }

    /// The same object marked as served from the cache.
    static func markedCached(_ json: [UInt8]) -> [UInt8] {
        guard json.count >= freshSuffix.count, json.suffix(freshSuffix.count).elementsEqual(freshSuffix) else {
            return json
        }
        return json.dropLast(freshSuffix.count) + cachedSuffix
    }
}
