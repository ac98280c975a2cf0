/// Token buckets kept in Redis and shared by every process that uses the same keys (rate limits across gateway
/// replicas). One call reserves tokens from several buckets atomically, in one Lua script run on Redis's clock:
/// up to `n` tokens are taken from every bucket — as many as the emptiest bucket holds whole, at most `n` — or, when
/// one of them holds less than one token, none, and the answer says how long until every bucket holds one again.
///
/// Reserving more than one token at once lets a caller spend them locally and call Redis once per block instead of
/// once per request; reserved tokens count as taken, so the total granted across callers never exceeds what the
/// buckets allow (`burst + rate × elapsed`).
///
/// Each bucket is a hash `{t: tokens, ts: last update ms}` that expires once it would be full again, so idle
/// clients cost no memory.
public struct RedisTokenBuckets: Sendable {
    /// One bucket to check: its key, refill rate (tokens per second) and capacity.
    public struct Bucket: Sendable, Hashable {
        /// The Redis key.
        public var key: String
        /// Tokens added per second.
        public var ratePerSecond: Double
        /// Capacity (the burst a client may send at once).
        public var burst: Double

        /// Creates a bucket description.
        public init(key: String, ratePerSecond: Double, burst: Double) {
            self.key = key
            self.ratePerSecond = ratePerSecond
            self.burst = burst
        }
    }

    /// The outcome of one reservation.
    public struct Reservation: Sendable, Hashable {
        /// Tokens taken from every bucket (0: refused, nothing taken).
        public var granted: Int
        /// When refused, milliseconds until every bucket holds one token again; 0 when granted.
        public var retryAfterMilliseconds: Int
        /// Whole tokens left in each bucket after the reservation, in the order given.
        public var remaining: [Int]

        /// Creates a reservation.
        public init(granted: Int, retryAfterMilliseconds: Int, remaining: [Int]) {
            self.granted = granted
            self.retryAfterMilliseconds = retryAfterMilliseconds
            self.remaining = remaining
        }
    }

    static let script = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local grant = tonumber(ARGV[1])
        local tokens, rates, bursts = {}, {}, {}
        for i = 1, #KEYS do
          rates[i] = tonumber(ARGV[2 * i])
          bursts[i] = tonumber(ARGV[2 * i + 1])
          local v = redis.call('HMGET', KEYS[i], 't', 'ts')
          local level = tonumber(v[1]) or bursts[i]
          local ts = tonumber(v[2]) or now
          if now > ts then level = math.min(bursts[i], level + (now - ts) * rates[i] / 1000) end
          tokens[i] = level
          grant = math.min(grant, math.floor(level))
        end
        local retry = 0
        if grant < 1 then
          grant = 0
          for i = 1, #KEYS do
            if tokens[i] < 1 then retry = math.max(retry, math.ceil((1 - tokens[i]) * 1000 / rates[i])) end
          end
        end
        local out = {grant, retry}
        for i = 1, #KEYS do
          tokens[i] = tokens[i] - grant
          redis.call('HSET', KEYS[i], 't', tostring(tokens[i]), 'ts', now)
          redis.call('PEXPIRE', KEYS[i], math.ceil(bursts[i] * 1000 / rates[i]) + 1000)
          out[i + 2] = math.floor(tokens[i])
        end
        return out
        """)

    private let redis: RedisClient

    /// Buckets in `redis`.
    public init(redis: RedisClient) {
        self.redis = redis
    }

    /// Takes between one and `maximum` tokens from every bucket (as many as the emptiest holds whole), or none
    /// when one holds less than one token.
    ///
    /// - Throws: `StoreError` `.invalidArgument` for no buckets, a non-positive rate/burst or `maximum` < 1,
    ///   `.unavailable` when Redis cannot be reached, `.unexpectedReply` for a malformed reply.
    public func reserve(_ buckets: [Bucket], upTo maximum: Int = 1) async throws -> Reservation {
        guard !buckets.isEmpty, maximum >= 1, buckets.allSatisfy({ $0.ratePerSecond > 0 && $0.burst >= 1 }) else {
            throw StoreError(
                .invalidArgument, "token buckets need at least one bucket, rate > 0, burst ≥ 1 and a maximum ≥ 1")
        }
        var arguments: [any RedisArgumentConvertible] = [maximum]
        for bucket in buckets {
            arguments.append(bucket.ratePerSecond)
            arguments.append(bucket.burst)
        }
        let reply = try await redis.run(Self.script, keys: buckets.map(\.key), arguments: arguments)
        guard let values = reply.array?.compactMap(\.int64), values.count == buckets.count + 2, values[0] >= 0 else {
            throw StoreError(.unexpectedReply, "token bucket script returned \(reply)")
        }
        return Reservation(
            granted: Int(values[0]), retryAfterMilliseconds: Int(values[1]),
            remaining: values.dropFirst(2).map { Int($0) })
    }
}
