import Domain
import Registry
import ServiceKit
import Wire

/// The `drift` object of `GET /stats`: each version's score distribution summed over the inference replicas that
/// answered `ModelInfo`, with the population stability index per model against training (``ScoreDrift``) and the
/// live alert rate. Counts are kept by each replica in memory since it started (no table is scanned), so they cover
/// the traffic since the oldest answering replica started and restart from zero when a replica restarts.
enum StatsDrift {
    /// One version summed over replicas.
    struct Version: Sendable, Hashable {
        var observed: UInt64 = 0
        var alerts: UInt64 = 0
        var isolationForest = [Int](repeating: 0, count: ScoreDrift.buckets)
        var autoencoder = [Int](repeating: 0, count: ScoreDrift.buckets)
        /// Earliest first observation over the replicas, Unix milliseconds.
        var sinceMillis: Int64 = .max
        /// Replicas that scored this version.
        var replicas = 0

        var alertRate: Double { observed == 0 ? 0 : Double(alerts) / Double(observed) }
    }

    /// Sums the replicas' distributions by version. An entry whose bucket lists do not have ``ScoreDrift/buckets``
    /// counts each (a replica of another build) is left out rather than mixed in.
    static func merge(_ answers: [ModelInfoResponse]) -> [String: Version] {
        var versions: [String: Version] = [:]
        for answer in answers {
            for drift in answer.drift {
                guard drift.isolationForestBuckets.count == ScoreDrift.buckets,
                    drift.autoencoderBuckets.count == ScoreDrift.buckets
                else { continue }
                var entry = versions[drift.version] ?? Version()
                entry.observed += drift.observed
                entry.alerts += drift.alerts
                for i in 0..<ScoreDrift.buckets {
                    entry.isolationForest[i] += Int(clamping: drift.isolationForestBuckets[i])
                    entry.autoencoder[i] += Int(clamping: drift.autoencoderBuckets[i])
                }
                entry.sinceMillis = min(entry.sinceMillis, drift.sinceMillis)
                entry.replicas += 1
                versions[drift.version] = entry
            }
        }
        return versions
    }

    /// What `version` is for the first answering replica: `champion`, `canary`, `shadow`, or `retired` (scored
    /// since the replica started, no longer served).
    static func role(of version: String, in info: ModelInfoResponse?) -> String {
        guard let info else { return "retired" }
        if version == info.version { return "champion" }
        if version == info.canaryVersion { return "canary" }
        if version == info.shadowVersion { return "shadow" }
        return "retired"
    }

    /// The JSON object (`null` when no replica answered).
    static func json(answers: [ModelInfoResponse], asked: Int) -> String {
        guard let first = answers.first else { return "null" }
        let versions = merge(answers).sorted { $0.key < $1.key }.map { version, v in
            var body = "\(JSONText.quoted(version)):{\"role\":\(JSONText.quoted(role(of: version, in: first))),"
            body += "\"observed\":\(v.observed),\"alerts\":\(v.alerts),\"alert_rate\":\(JSONText.number(v.alertRate)),"
            body += "\"psi\":{\"isolation_forest\":\(number(ScoreDrift.psi(v.isolationForest))),"
            body += "\"autoencoder\":\(number(ScoreDrift.psi(v.autoencoder)))},"
            body += "\"since\":\(v.sinceMillis == .max ? "null" : "\"\(RFC3339.format(millis: v.sinceMillis))\""),"
            return body + "\"replicas\":\(v.replicas)}"
        }
        return "{\"replicas_answered\":\(answers.count),\"replicas_asked\":\(max(asked, answers.count)),"
            + "\"versions\":{\(versions.joined(separator: ","))}}"
    }

    private static func number(_ value: Double?) -> String { value.map(JSONText.number) ?? "null" }
}
