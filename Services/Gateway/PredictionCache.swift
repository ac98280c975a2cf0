import Domain
import Logging
import Stores

/// A prediction as cached in Redis: the response JSON plus what a batch summary needs without re-parsing it.
struct CachedPrediction: Sendable, Equatable {
    var riskLevel: RiskLevel
    var isAnomaly: Bool
    /// The response object with `"cached": false`, as UTF-8.
    var json: [UInt8]

    /// `v1|<risk>|<0/1>|<json>`.
    func encoded() -> [UInt8] {
        Array("v1|\(riskLevel.rawValue)|\(isAnomaly ? 1 : 0)|".utf8) + json
    }

    init(riskLevel: RiskLevel, isAnomaly: Bool, json: [UInt8]) {
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
        self.json = Array(parts[3])
    }
}

/// What the cache says about one transaction id.
enum CacheEntry: Sendable, Equatable {
    /// Scored before: the cached answer.
    case hit(CachedPrediction)
    /// Nobody had it: this request now holds the claim and must score it (and then store or release it).
    case claimed
    /// Redis could not be asked: score it without a claim (and do not release anything).
    case uncached
    /// Another request is scoring it right now.
    case inProgress
}

/// The Redis side of the prediction flow: cached results, and claims that make sure one `transaction_id` is scored
/// (and so updates its user's state) once, even when identical requests arrive at the same moment.
///
/// One key per transaction id, `txad:prediction:<id>`, holds either the claim marker (while a request scores it,
/// expiring after ``claimTTL``) or the cached answer (for ``ttl``). Looking up and claiming is one command,
/// `SET key <marker> NX PX <claim ttl> GET`, so a fresh transaction costs two Redis commands: that one and the `SET`
/// of its answer.
///
/// Every claim carries a marker unique to the lookup that made it, so a release only ever deletes its own claim, never
/// an answer or another request's claim. Every method degrades instead of failing when Redis is down: every id
/// `uncached`, nothing stored. Scoring goes on without the cache (SPEC: predictions are still served while Redis is
/// down). Needs Redis 7.0 or later (`SET` with both `NX` and `GET`).
struct PredictionCache: Sendable {
    let redis: RedisClient?
    let ttl: Duration
    let claimTTL: Duration
    let logger: Logger

    private static let claimPrefix: [UInt8] = Array("claim:".utf8)

    /// Deletes each key that still holds this claim marker (`ARGV[1]`).
    private static let releaseScript = RedisScript(
        """
        for i = 1, #KEYS do
          if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
        end
        return 0
        """)

    private static func key(_ id: String) -> String { "txad:prediction:\(id)" }

    /// The outcome of one ``lookupOrClaim(_:)``: an entry per id, and the marker of the claims it made.
    struct Lookup: Sendable {
        var entries: [CacheEntry]
        var claim: [UInt8]
    }

    /// For each id, in order: its cached answer, or a claim for this request, or "in progress elsewhere".
    func lookupOrClaim(_ ids: [String]) async -> Lookup {
        let claim = Self.claimPrefix + Array(String(UInt64.random(in: 0...UInt64.max), radix: 36).utf8)
        guard let redis, !ids.isEmpty else { return Lookup(entries: ids.map { _ in .uncached }, claim: claim) }
        let milliseconds = claimTTL.components.seconds * 1000
        do {
            let replies = try await redis.pipeline(
                ids.map { RedisCommand("SET", Self.key($0), claim, "NX", "PX", milliseconds, "GET") })
            if let message = replies.lazy.compactMap(\.errorMessage).first {
                throw StoreError(.serverError, "SET NX GET: \(message)")
            }
            let entries = replies.map { reply -> CacheEntry in
                guard let bytes = reply.bytes else { return .claimed }
                if bytes.starts(with: Self.claimPrefix) { return .inProgress }
                // An entry this version cannot read (another format) is scored again and overwritten.
                return CachedPrediction(encoded: bytes).map(CacheEntry.hit) ?? .uncached
            }
            return Lookup(entries: entries, claim: claim)
        } catch {
            logger.warning("prediction cache unavailable, scoring without it", metadata: ["error": "\(error)"])
            return Lookup(entries: ids.map { _ in .uncached }, claim: claim)
        }
    }

    /// Stores answers, replacing their claims.
    func store(_ predictions: [(String, CachedPrediction)]) async {
        guard let redis, !predictions.isEmpty else { return }
        let milliseconds = ttl.components.seconds * 1000
        do {
            _ = try await redis.pipeline(
                predictions.map { id, prediction in
                    RedisCommand("SET", Self.key(id), prediction.encoded(), "PX", milliseconds)
                })
        } catch {
            logger.warning("could not cache predictions", metadata: ["error": "\(error)"])
        }
    }

    /// Releases this lookup's claims on ids that could not be scored, so a retry is not blocked until the claim
    /// expires; a key that no longer holds `claim` (expired and taken by another request, or answered) is left alone.
    func release(_ ids: [String], claim: [UInt8]) async {
        guard let redis, !ids.isEmpty else { return }
        do {
            try await redis.run(Self.releaseScript, keys: ids.map(Self.key), arguments: [claim])
        } catch {
            logger.warning("could not release prediction claims", metadata: ["error": "\(error)"])
        }
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
