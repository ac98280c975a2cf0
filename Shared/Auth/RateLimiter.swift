import Credentials
import Logging
import Stores
import Synchronization

/// Decides whether a request may proceed under ``RateLimits``: in Redis, shared by every gateway replica, or, while
/// Redis is unreachable, in this process (``LocalTokenBuckets``) — fail-safe, never fail-open. After a Redis failure
/// the limiter stays local for one second before trying Redis again, so an outage costs no time per request.
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

    /// A limiter with `limits`, shared through `redis` (nil: local only).
    public init(limits: RateLimits, redis: RedisClient?, keyPrefix: String = "txad:ratelimit:", logger: Logger) {
        self.limits = limits
        self.redis = redis.map(RedisTokenBuckets.init(redis:))
        self.keyPrefix = keyPrefix
        self.logger = logger
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
            do {
                let decision = try await redis.take(buckets)
                return verdict(decision, buckets, shared: true)
            } catch {
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
        return verdict(local.take(buckets), buckets, shared: false)
    }

    private func useRedis() -> Bool {
        localUntil.withLock { until in
            guard let deadline = until else { return true }
            if clock.now < deadline { return false }
            // Try Redis again; `until` stays set so recovery is logged once.
            return true
        }
    }

    private func verdict(
        _ decision: RedisTokenBuckets.Decision, _ buckets: [RedisTokenBuckets.Bucket], shared: Bool
    ) -> Verdict {
        if shared {
            let recovered = localUntil.withLock { until in
                defer { until = nil }
                return until != nil
            }
            if recovered { logger.notice("rate limits: Redis answers again; limits are shared across replicas") }
        }
        let tightest = decision.remaining.indices.min { decision.remaining[$0] < decision.remaining[$1] } ?? 0
        return Verdict(
            allowed: decision.allowed, limit: Int(buckets[tightest].burst),
            remaining: max(0, decision.remaining[tightest]),
            retryAfterSeconds: decision.allowed ? 0 : max(1, (decision.retryAfterMilliseconds + 999) / 1000),
            shared: shared)
    }
}
