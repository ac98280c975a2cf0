import Detection
import Domain
import Foundation
import ServiceKit

/// The traffic `txad bench stack` replays: generated transactions from the same generator the default model is
/// trained on (another seed, the following quarter), so the stack sees realistic users — their own rhythm, places and
/// spend, about 5 % anomalies — rather than synthetic rows that all look alike or all look suspicious.
///
/// Written as one file per wrk thread, `<prefix><thread>.tsv`, each line `<unix seconds>\t<the JSON object's remaining
/// members>}`; users are split between threads so that each user's rows stay in time order in one thread.
enum BenchTraffic {
    /// Rows generated (the scripts loop over them, shifted later in time by ``replayShiftSeconds`` per pass).
    static let rows = 400_000
    static let days = 90
    /// One pass's period plus a day.
    static let replayShiftSeconds = (days + 1) * 86_400
    /// 2024-04-01T00:00:00Z: after the default model's training period.
    static let startMillis: Int64 = 1_711_929_600_000

    /// Generates `count` transactions (default ``rows``) and writes the per-thread files; returns the rows per file.
    static func write(prefix: String, threads: Int, rows count: Int = rows) throws -> [Int] {
        let generator = try TransactionGenerator(
            configuration: GeneratorConfiguration(
                count: count, anomalyRate: 0.05, seed: 7, startMillis: startMillis, days: days))
        let data = generator.generate()
        var files = [String](repeating: "", count: threads)
        var counts = [Int](repeating: 0, count: threads)
        var threadOfUser: [String: Int] = [:]
        for index in 0..<data.count {
            let t = data.transaction(at: index)
            let thread = threadOfUser[t.userID] ?? (threadOfUser.count % threads)
            threadOfUser[t.userID] = thread
            files[thread] += "\(t.timestampMillis / 1000)\t\(jsonMembers(t))\n"
            counts[thread] += 1
        }
        for (thread, text) in files.enumerated() {
            try text.write(toFile: "\(prefix)\(thread).tsv", atomically: true, encoding: .utf8)
        }
        return counts
    }

    /// The members after `transaction_id` and `timestamp`, and the closing brace.
    private static func jsonMembers(_ t: Transaction) -> String {
        var out = "\"user_id\":\(JSONText.quoted(t.userID)),\"amount\":\(JSONText.number(t.amount))"
        out += ",\"currency\":\(JSONText.quoted(t.currency))"
        if let v = t.merchantID { out += ",\"merchant_id\":\(JSONText.quoted(v))" }
        if let v = t.merchantCategory { out += ",\"merchant_category\":\(JSONText.quoted(v))" }
        if let v = t.channel { out += ",\"channel\":\"\(v.rawValue)\"" }
        if let v = t.latitude { out += ",\"latitude\":\(JSONText.number(v))" }
        if let v = t.longitude { out += ",\"longitude\":\(JSONText.number(v))" }
        if let v = t.country { out += ",\"country\":\(JSONText.quoted(v))" }
        return out + "}"
    }
}
