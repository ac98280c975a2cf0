import Credentials
import Logging
import Stores
import Synchronization

/// Decides whether a request may proceed under ``RateLimits``: in Redis, shared by every gateway replica, or, while
/// Redis is unreachable, in this process (``LocalTokenBuckets``) — fail-safe, never fail-open. After a Redis failure
/// the limiter stays local for one second before trying Redis again, so an outage costs no time per request.
///
/// A request is charged to two buckets at once — its caller's and its client address's — in one Lua call. To keep
/// Redis off the per-request path, the limiter reserves tokens in blocks (``ReservedTokens``): one call takes up to
/// ``blockSize(for:)`` tokens from both buckets (about `blockWindow` worth of the tighter rate, at most a quarter of
/// the smaller burst, at least one; more — up to a quarter of the burst — when many requests of one caller wait for
/// the same reservation) and spends them locally; it calls Redis again only when the block is empty, and
/// after a refusal not before the moment Redis named (for blocks of more than one: nor before one block has
/// refilled, so a caller over its limit costs at most one call per `blockWindow`). Reserved tokens count as taken, so every replica together
/// never admits more than the shared buckets allow; small limits (under 20/s with the default 50 ms) get blocks of
/// one token and stay exact.
public final class RateLimiter: Sendable {
    /// Whose bucket a request is charged to.
    public enum Subject: Sendable, Hashable {
        /// An identified caller.
        case principal(Principal)
        /// A request without valid credentials, by client address.
        case anonymous
    }

    /// The answer for one request.
    public struct Verdict: Sendable, Hashable {
        /// Whether it may proceed.
        public var allowed: Bool
        /// The tighter bucket's capacity (`RateLimit-Limit`).
        public var limit: Int
        /// Whole requests left in the tighter bucket (`RateLimit-Remaining`).
        public var remaining: Int
        /// Seconds until a refused request may be retried (`Retry-After`, `RateLimit-Reset`); 0 when allowed.
        public var retryAfterSeconds: Int
        /// Whether the shared (Redis) buckets decided; false while the local fallback is in use.
        public var shared: Bool
    }

    private let limits: RateLimits
    private let redis: RedisTokenBuckets?
    private let local = LocalTokenBuckets()
    private let localUntil = Mutex<ContinuousClock.Instant?>(nil)
    private let logger: Logger
    private let clock = ContinuousClock()
    private let keyPrefix: String
    private let reserved = ReservedTokens()
    private let blockWindow: Double
    private let reservations = Atomic<Int>(0)

    /// A limiter with `limits`, shared through `redis` (nil: local only), reserving blocks of about `blockWindow`
    /// worth of a bucket's rate (zero: one token per Redis call; nil: `limits.blockWindow`).
    public init(
        limits: RateLimits, redis: RedisClient?, keyPrefix: String = "txad:ratelimit:", blockWindow: Duration? = nil,
        logger: Logger
    ) {
        self.limits = limits
        self.redis = redis.map(RedisTokenBuckets.init(redis:))
        self.keyPrefix = keyPrefix
        let window = blockWindow ?? limits.blockWindow
        self.blockWindow = max(0, Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18)
        self.logger = logger
    }

    /// Redis calls made so far (reservations, successful or not), for tests and benchmarks.
    public var sharedCalls: Int { reservations.load(ordering: .relaxed) }

    /// Tokens reserved per Redis call for `buckets`: `blockWindow` × the smallest rate, at most a quarter of the
    /// smallest burst and 10,000, at least 1.
    public func blockSize(for buckets: [RedisTokenBuckets.Bucket]) -> Int {
        guard let rate = buckets.map(\.ratePerSecond).min(), let burst = buckets.map(\.burst).min() else { return 1 }
        let size = min(rate * blockWindow, burst / 4, 10_000).rounded(.down)
        return size >= 1 ? Int(size) : 1
    }

    /// The most tokens one reservation takes when many requests of one caller wait for it at once: a quarter of the
    /// smallest burst (at least ``blockSize(for:)``).
    func maximumBlock(for buckets: [RedisTokenBuckets.Bucket]) -> Int {
        let quarter = min((buckets.map(\.burst).min() ?? 1) / 4, 10_000).rounded(.down)
        return max(blockSize(for: buckets), Int(quarter))
    }

    /// Charges one request of `subject` from `address`.
    public func check(_ subject: Subject, address: String) async -> Verdict {
        let (subjectKey, subjectLimit): (String, RateLimits.Limit) =
            switch subject {
            case .principal(let principal):
                // Hashed: names and JWT subjects may be long or contain anything Redis keys should not carry.
                (
                    "p:" + String(APIKey.digest(of: "\(principal.method.rawValue):\(principal.name)").prefix(32)),
                    limits.limit(for: principal.role)
                )
            case .anonymous: ("n:" + address, limits.anonymous)
            }
        let buckets = [
            RedisTokenBuckets.Bucket(
                key: keyPrefix + subjectKey, ratePerSecond: subjectLimit.ratePerSecond, burst: subjectLimit.burst),
            RedisTokenBuckets.Bucket(
                key: keyPrefix + "a:" + address, ratePerSecond: limits.perAddress.ratePerSecond,
                burst: limits.perAddress.burst),
        ]
        if let redis, useRedis() {
            let block = blockSize(for: buckets)
            // Over the limit, wait for a block's worth of refill before asking again (blocks of one: exactly Redis's
            // retry time).
            let holdoff =
                block > 1
                ? Duration.milliseconds(Int(1000 * Double(block) / (buckets.map(\.ratePerSecond).min() ?? 1))) : .zero
            let outcome = await reserved.spend(
                subjectKey + " " + address, block: block, maximumBlock: maximumBlock(for: buckets), holdoff: holdoff
            ) { count in
                self.reservations.add(1, ordering: .relaxed)
                return try await redis.reserve(buckets, upTo: count)
            }
            switch outcome {
            case .admitted(let remaining, let tightest):
                sharedAgain()
                return Verdict(
                    allowed: true, limit: Int(buckets[tightest].burst), remaining: remaining, retryAfterSeconds: 0,
                    shared: true)
            case .refused(let retryAfter, let tightest):
                sharedAgain()
                let milliseconds =
                    Double(retryAfter.components.seconds) * 1000
                    + Double(retryAfter.components.attoseconds) / 1e15
                return Verdict(
                    allowed: false, limit: Int(buckets[tightest].burst), remaining: 0,
                    retryAfterSeconds: max(1, Int((milliseconds / 1000).rounded(.up))), shared: true)
            case .unavailable(let error):
                let first = localUntil.withLock { until in
                    defer { until = clock.now + .seconds(1) }
                    return until == nil
                }
                if first {
                    logger.warning(
                        "rate limits: Redis unreachable, limiting per replica until it answers",
                        metadata: ["error": "\(error)"])
                }
            }
        }
        let reservation = local.reserve(buckets, upTo: 1)
        let remaining = reservation.remaining
        let tightest = remaining.indices.min { remaining[$0] < remaining[$1] } ?? 0
        return Verdict(
            allowed: reservation.granted > 0, limit: Int(buckets[tightest].burst),
            remaining: max(0, remaining[tightest]),
            retryAfterSeconds: reservation.granted > 0 ? 0 : max(1, (reservation.retryAfterMilliseconds + 999) / 1000),
            shared: false)
    }

    private func useRedis() -> Bool {
        localUntil.withLock { until in
            guard let deadline = until else { return true }
            if clock.now < deadline { return false }
            // Try Redis again; `until` stays set so recovery is logged once.
            return true
        }
    }

    /// Logs once when Redis answers again after an outage.
    private func sharedAgain() {
        let recovered = localUntil.withLock { until in
            defer { until = nil }
            return until != nil
        }
        if recovered { logger.notice("rate limits: Redis answers again; limits are shared across replicas") }
    }
}
