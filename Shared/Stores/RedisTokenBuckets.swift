/// Token buckets kept in Redis and shared by every process that uses the same keys (rate limits across gateway
/// replicas). One call checks and takes from several buckets atomically, in one Lua script run on Redis's clock:
/// either every bucket has `cost` tokens and all are charged, or none is and the answer says how long to wait.
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

    /// The outcome of one take.
    public struct Decision: Sendable, Hashable {
        /// Whether the request may proceed (every bucket was charged).
        public var allowed: Bool
        /// When refused, milliseconds until every bucket has enough tokens; 0 when allowed.
        public var retryAfterMilliseconds: Int
        /// Whole tokens left in each bucket, in the order given.
        public var remaining: [Int]

        /// Creates a decision.
        public init(allowed: Bool, retryAfterMilliseconds: Int, remaining: [Int]) {
            self.allowed = allowed
            self.retryAfterMilliseconds = retryAfterMilliseconds
            self.remaining = remaining
        }
    }

    static let script = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local cost = tonumber(ARGV[1])
        local tokens, rates, bursts = {}, {}, {}
        local allowed = 1
        for i = 1, #KEYS do
          rates[i] = tonumber(ARGV[2 * i])
          bursts[i] = tonumber(ARGV[2 * i + 1])
          local v = redis.call('HMGET', KEYS[i], 't', 'ts')
          local level = tonumber(v[1]) or bursts[i]
          local ts = tonumber(v[2]) or now
          if now > ts then level = math.min(bursts[i], level + (now - ts) * rates[i] / 1000) end
          tokens[i] = level
          if level < cost then allowed = 0 end
        end
        local retry = 0
        local out = {allowed, 0}
        for i = 1, #KEYS do
          if allowed == 1 then
            tokens[i] = tokens[i] - cost
          elseif tokens[i] < cost then
            retry = math.max(retry, math.ceil((cost - tokens[i]) * 1000 / rates[i]))
          end
          redis.call('HSET', KEYS[i], 't', tostring(tokens[i]), 'ts', now)
          redis.call('PEXPIRE', KEYS[i], math.ceil(bursts[i] * 1000 / rates[i]) + 1000)
          out[i + 2] = math.floor(tokens[i])
        end
        out[2] = retry
        return out
        """)

    private let redis: RedisClient

    /// Buckets in `redis`.
    public init(redis: RedisClient) {
        self.redis = redis
    }

    /// Takes `cost` tokens from every bucket, or from none.
    ///
    /// - Throws: `StoreError` `.invalidArgument` for no buckets or a non-positive rate/burst, `.unavailable` when
    ///   Redis cannot be reached, `.unexpectedReply` for a malformed reply.
    public func take(_ buckets: [Bucket], cost: Int = 1) async throws -> Decision {
        guard !buckets.isEmpty, buckets.allSatisfy({ $0.ratePerSecond > 0 && $0.burst >= 1 }) else {
            throw StoreError(.invalidArgument, "token buckets need at least one bucket, rate > 0 and burst ≥ 1")
        }
        var arguments: [any RedisArgumentConvertible] = [cost]
        for bucket in buckets {
            arguments.append(bucket.ratePerSecond)
            arguments.append(bucket.burst)
        }
        let reply = try await redis.run(Self.script, keys: buckets.map(\.key), arguments: arguments)
        guard let values = reply.array?.compactMap(\.int64), values.count == buckets.count + 2 else {
            throw StoreError(.unexpectedReply, "token bucket script returned \(reply)")
        }
        return Decision(
            allowed: values[0] == 1, retryAfterMilliseconds: Int(values[1]), remaining: values.dropFirst(2).map { Int($0) })
    }
}
