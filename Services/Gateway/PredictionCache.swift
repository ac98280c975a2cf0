import Domain
import Logging
import Stores

/// A prediction as cached in Redis: the response JSON plus what a batch summary needs without re-parsing it.
struct CachedPrediction: Sendable, Equatable {
    var riskLevel: RiskLevel
    var isAnomaly: Bool
    /// The response object with `"cached": false`.
    var json: String

    /// `v1|<risk>|<0/1>|<json>`.
    func encoded() -> [UInt8] {
        Array("v1|\(riskLevel.rawValue)|\(isAnomaly ? 1 : 0)|".utf8) + Array(json.utf8)
    }

    init(riskLevel: RiskLevel, isAnomaly: Bool, json: String) {
        self.riskLevel = riskLevel
        self.isAnomaly = isAnomaly
        self.json = json
    }

    /// Decodes ``encoded()``; nil for anything else (an entry from another version is then just a miss).
    init?(encoded bytes: [UInt8]) {
        let parts = bytes.split(separator: UInt8(ascii: "|"), maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].elementsEqual("v1".utf8),
            let risk = RiskLevel(rawValue: String(decoding: parts[1], as: UTF8.self))
        else { return nil }
        self.riskLevel = risk
        self.isAnomaly = parts[2].elementsEqual("1".utf8)
        self.json = String(decoding: parts[3], as: UTF8.self)
    }
}

/// The Redis side of the prediction flow: cached results, and claims that make sure one `transaction_id` is scored
/// (and so updates its user's state) once, even when identical requests arrive at the same moment.
///
/// Every method degrades instead of failing when Redis is down: no hits, every id claimed, nothing stored. Scoring
/// goes on without the cache (SPEC: predictions are still served while Redis is down).
struct PredictionCache: Sendable {
    let redis: RedisClient?
    let ttl: Duration
    let claimTTL: Duration
    let logger: Logger

    private static func resultKey(_ id: String) -> String { "txad:prediction:\(id)" }
    private static func claimKey(_ id: String) -> String { "txad:claim:\(id)" }

    /// Cached predictions for the ids that have one.
    func lookup(_ ids: [String]) async -> [String: CachedPrediction] {
        guard let redis, !ids.isEmpty else { return [:] }
        do {
            let replies = try await redis.pipeline(ids.map { RedisCommand("GET", Self.resultKey($0)) })
            var hits: [String: CachedPrediction] = [:]
            for (id, reply) in zip(ids, replies) {
                if let bytes = reply.bytes, let prediction = CachedPrediction(encoded: bytes) { hits[id] = prediction }
            }
            return hits
        } catch {
            logger.warning("prediction cache unavailable, scoring without it", metadata: ["error": "\(error)"])
            return [:]
        }
    }

    /// Claims ids for scoring: returns those this request may score; the others are being scored right now by
    /// another request.
    func claim(_ ids: [String]) async -> Set<String> {
        guard let redis, !ids.isEmpty else { return Set(ids) }
        let milliseconds = claimTTL.components.seconds * 1000
        do {
            let replies = try await redis.pipeline(
                ids.map { RedisCommand("SET", Self.claimKey($0), "1", "PX", milliseconds, "NX") })
            return Set(zip(ids, replies).compactMap { id, reply in reply.isNull ? nil : id })
        } catch {
            return Set(ids)
        }
    }

    /// Stores results and releases their claims.
    func store(_ predictions: [(String, CachedPrediction)]) async {
        guard let redis, !predictions.isEmpty else { return }
        let milliseconds = ttl.components.seconds * 1000
        var commands: [RedisCommand] = []
        commands.reserveCapacity(predictions.count * 2)
        for (id, prediction) in predictions {
            commands.append(RedisCommand("SET", Self.resultKey(id), prediction.encoded(), "PX", milliseconds))
            commands.append(RedisCommand("DEL", Self.claimKey(id)))
        }
        do {
            _ = try await redis.pipeline(commands)
        } catch {
            logger.warning("could not cache predictions", metadata: ["error": "\(error)"])
        }
    }

    /// Releases claims of ids that could not be scored, so a retry is not blocked until the claim expires.
    func release(_ ids: [String]) async {
        guard let redis, !ids.isEmpty else { return }
        _ = try? await redis.pipeline(ids.map { RedisCommand("DEL", Self.claimKey($0)) })
    }

    /// `PING` for `/health`.
    func ping() async -> Bool {
        guard let redis else { return false }
        do {
            try await redis.ping()
            return true
        } catch {
            return false
        }
    }
}
