import Stores
import Synchronization

/// The same token buckets as ``RedisTokenBuckets`` kept in this process: the fallback while Redis is unreachable,
/// so limits still hold per replica (fail-safe, not fail-open). Bounded: beyond `capacity` buckets the oldest
/// half is dropped (a dropped bucket starts full again, which errs towards letting a client through).
public final class LocalTokenBuckets: Sendable {
    private struct State {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: State]>([:])
    private let capacity: Int
    private let clock = ContinuousClock()

    /// Buckets for at most `capacity` keys.
    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Takes between one and `maximum` tokens from every bucket, or none, with the script's arithmetic
    /// (``RedisTokenBuckets/reserve(_:upTo:)``).
    public func reserve(_ requested: [RedisTokenBuckets.Bucket], upTo maximum: Int = 1) -> RedisTokenBuckets.Reservation
    {
        let now = clock.now
        return buckets.withLock { buckets in
            if buckets.count + requested.count > capacity {
                let oldest = buckets.sorted { $0.value.updated < $1.value.updated }.prefix(buckets.count / 2)
                for (key, _) in oldest { buckets[key] = nil }
            }
            var levels: [Double] = []
            var grant = Double(max(1, maximum))
            for bucket in requested {
                var level = bucket.burst
                if let state = buckets[bucket.key] {
                    let elapsed = now - state.updated
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    level = min(bucket.burst, state.tokens + seconds * bucket.ratePerSecond)
                }
                levels.append(level)
                grant = min(grant, level.rounded(.down))
            }
            var retry = 0
            if grant < 1 {
                grant = 0
                for (index, bucket) in requested.enumerated() where levels[index] < 1 {
                    retry = max(retry, Int(((1 - levels[index]) * 1000 / bucket.ratePerSecond).rounded(.up)))
                }
            }
            for (index, bucket) in requested.enumerated() {
                levels[index] -= grant
                buckets[bucket.key] = State(tokens: levels[index], updated: now)
            }
            return .init(
                granted: Int(grant), retryAfterMilliseconds: retry, remaining: levels.map { Int($0.rounded(.down)) })
        }
    }
}
