import Stores
import Synchronization

/// Tokens this replica has reserved from the shared Redis buckets and not spent yet, per pair of buckets (a caller
/// and its address). ``RateLimiter`` spends them one request at a time without a Redis round trip and reserves the
/// next block only when a pair's block is empty; while Redis has refused a pair, the refusal is remembered until
/// the moment Redis said a token will be there again — and, for blocks of more than one token, at least the time the
/// buckets take to refill one block (`holdoff`, meanwhile the tokens wait in Redis for the next reservation) — so a
/// caller over its limit costs no Redis call per request either: at most one per pair per `holdoff`.
///
/// At most one reservation of a block of more than one token per pair is in flight: requests arriving while it runs wait for it and then spend from
/// the block it brought (the request that started it takes the first token). Reserved tokens were taken from the
/// shared buckets, so spending them later never admits more than the buckets allow; tokens left in a block that is
/// dropped (idle pairs beyond `capacity`) are simply not used.
final class ReservedTokens: Sendable {
    /// The answer for one request.
    enum Outcome: Sendable {
        /// Admitted; `remaining` whole requests are left (shared bucket at the last reservation + local block).
        case admitted(remaining: Int, tightest: Int)
        /// Refused by the shared buckets for `retryAfter`.
        case refused(retryAfter: Duration, tightest: Int)
        /// The reservation failed (Redis unreachable).
        case unavailable(any Error)
    }

    private struct Pair {
        /// Reserved, unspent tokens.
        var tokens = 0
        /// Whole tokens left in the tightest shared bucket at the last reservation.
        var sharedRemaining = 0
        /// Which of the buckets was the tightest at the last reservation.
        var tightest = 0
        /// Until when the shared buckets refuse this pair.
        var refusedUntil: ContinuousClock.Instant?
        /// The reservation in flight.
        var reservation: Task<Outcome, Never>?
        /// Requests waiting for the reservation in flight.
        var waiting = 0
        /// Requests that were waiting when the last reservation arrived: the demand the next one should cover.
        var demand = 0
        /// Last use, for eviction.
        var used: ContinuousClock.Instant
    }

    private let pairs = Mutex<[String: Pair]>([:])
    private let capacity: Int
    private let clock = ContinuousClock()

    /// Blocks for at most `capacity` pairs.
    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Spends one token of `key`'s block, reserving a block with `reserve` when it is empty: `block` tokens, or, when
    /// more requests than that are waiting for it, one per waiting request up to `maximumBlock`.
    func spend(
        _ key: String, block: Int, maximumBlock: Int, holdoff: Duration,
        reserve: @escaping @Sendable (Int) async throws -> RedisTokenBuckets.Reservation
    ) async -> Outcome {
        // Each round either answers, or waits for a reservation that brought tokens (which other waiters may have
        // spent first); after a few rounds of losing them, reserve one token for this request alone.
        for _ in 0..<16 {
            enum Step {
                case answer(Outcome)
                case started(Task<Outcome, Never>)
                case wait(Task<Outcome, Never>)
                case alone
            }
            let now = clock.now
            let step = pairs.withLock { pairs -> Step in
                if pairs[key] == nil, pairs.count >= capacity { evict(&pairs, now: now) }
                var pair = pairs[key] ?? Pair(used: now)
                pair.used = now
                defer { pairs[key] = pair }
                if pair.tokens > 0 {
                    pair.tokens -= 1
                    return .answer(.admitted(remaining: pair.sharedRemaining + pair.tokens, tightest: pair.tightest))
                }
                if let until = pair.refusedUntil {
                    if now < until { return .answer(.refused(retryAfter: until - now, tightest: pair.tightest)) }
                    pair.refusedUntil = nil
                }
                // Blocks of one token are not shared: each request reserves its own, concurrently, as without blocks.
                if block == 1 { return .alone }
                if let running = pair.reservation {
                    pair.waiting += 1
                    return .wait(running)
                }
                let task = Task {
                    let size = self.pairs.withLock { pairs in
                        let pair = pairs[key]
                        return max(block, min(maximumBlock, max(pair?.waiting ?? 0, pair?.demand ?? 0) + 1))
                    }
                    return await self.reserveBlock(key, block: size, holdoff: holdoff, owner: true, reserve: reserve)
                }
                pair.reservation = task
                return .started(task)
            }
            switch step {
            case .answer(let outcome):
                return outcome
            case .started(let task):
                return await task.value
            case .alone:
                return await reserveBlock(key, block: 1, holdoff: .zero, owner: false, reserve: reserve)
            case .wait(let task):
                let outcome = await task.value
                pairs.withLock { pairs in pairs[key]?.waiting -= 1 }
                switch outcome {
                case .admitted: continue
                case let outcome: return outcome
                }
            }
        }
        return await reserveBlock(key, block: 1, holdoff: .zero, owner: false, reserve: reserve)
    }

    /// Reserves a block for `key` and records it; the request that asked for it takes the first token. `owner`: this
    /// is the pair's one reservation in flight (otherwise a single token for a request that lost several rounds).
    private func reserveBlock(
        _ key: String, block: Int, holdoff: Duration, owner: Bool,
        reserve: @Sendable (Int) async throws -> RedisTokenBuckets.Reservation
    ) async -> Outcome {
        let result: Result<RedisTokenBuckets.Reservation, any Error>
        do { result = .success(try await reserve(block)) } catch { result = .failure(error) }
        let now = clock.now
        return pairs.withLock { pairs in
            var pair = pairs[key] ?? Pair(used: now)
            defer { pairs[key] = pair }
            if owner {
                pair.reservation = nil
                pair.demand = pair.waiting
            }
            switch result {
            case .failure(let error):
                return .unavailable(error)
            case .success(let reservation):
                let remaining = reservation.remaining
                pair.tightest = remaining.indices.min { remaining[$0] < remaining[$1] } ?? 0
                pair.sharedRemaining = max(0, remaining.min() ?? 0)
                guard reservation.granted > 0 else {
                    let wait = max(Duration.milliseconds(max(1, reservation.retryAfterMilliseconds)), holdoff)
                    pair.refusedUntil = now + wait
                    return .refused(retryAfter: wait, tightest: pair.tightest)
                }
                pair.refusedUntil = nil
                pair.tokens += reservation.granted - 1
                return .admitted(remaining: pair.sharedRemaining + pair.tokens, tightest: pair.tightest)
            }
        }
    }

    /// Drops pairs idle for over ten seconds, or the older half when that frees nothing.
    private func evict(_ pairs: inout [String: Pair], now: ContinuousClock.Instant) {
        let idle = pairs.filter { $0.value.reservation == nil && now - $0.value.used > .seconds(10) }
        let victims =
            idle.isEmpty
            ? pairs.filter { $0.value.reservation == nil }.sorted { $0.value.used < $1.value.used }
                .prefix(pairs.count / 2).map(\.key)
            : Array(idle.keys)
        for key in victims { pairs[key] = nil }
    }
}
