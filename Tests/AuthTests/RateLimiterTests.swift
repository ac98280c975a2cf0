import Auth
import EmbeddedStores
import Foundation
import ServiceKit
import Stores
import Testing

@Suite("Rate limits shared through Redis")
struct RateLimiterTests {
    static let principal = Principal(name: "ci", role: .scorer, method: .apiKey)

    static func limits(burst: Double) -> RateLimits {
        RateLimits(
            perRole: [.scorer: .init(ratePerSecond: 0.5, burst: burst)], anonymous: .init(ratePerSecond: 0.5, burst: 3),
            perAddress: .init(ratePerSecond: 1000, burst: 1000))
    }

    @Test("two gateways sharing one Redis share one bucket per key; refusals carry Retry-After seconds")
    func shared() async throws {
        let url = try await TestStores.redisURL()
        let (r1, r2) = (try RedisClient(url: url), try RedisClient(url: url))
        let prefix = "txad:test:\(UUID().uuidString):"
        let first = RateLimiter(
            limits: Self.limits(burst: 10), redis: r1, keyPrefix: prefix, logger: AuthFixtures.logger)
        let second = RateLimiter(
            limits: Self.limits(burst: 10), redis: r2, keyPrefix: prefix, logger: AuthFixtures.logger)
        var allowed = 0
        var refusal: RateLimiter.Verdict?
        for i in 0..<30 {
            let verdict = await (i % 2 == 0 ? first : second).check(.principal(Self.principal), address: "10.0.0.1")
            #expect(verdict.shared)
            if verdict.allowed { allowed += 1 } else { refusal = verdict }
        }
        // The burst of 10 plus at most what 0.5/s refills during the loop.
        #expect((10...11).contains(allowed))
        #expect(refusal?.retryAfterSeconds ?? 0 >= 1)
        #expect(refusal?.remaining == 0)
        // Another key has its own bucket.
        let other = Principal(name: "other", role: .scorer, method: .apiKey)
        #expect(await first.check(.principal(other), address: "10.0.0.1").allowed)
        await r1.shutdown()
        await r2.shutdown()
    }

    @Test("anonymous requests are limited per client address")
    func anonymous() async throws {
        let redis = try RedisClient(url: try await TestStores.redisURL())
        let limiter = RateLimiter(
            limits: Self.limits(burst: 10), redis: redis, keyPrefix: "txad:test:\(UUID().uuidString):",
            logger: AuthFixtures.logger)
        var allowed = 0
        for _ in 0..<10 {
            if await limiter.check(.anonymous, address: "192.0.2.7").allowed { allowed += 1 }
        }
        #expect((3...4).contains(allowed))
        #expect(await limiter.check(.anonymous, address: "192.0.2.8").allowed)
        await redis.shutdown()
    }

    @Test("with Redis down each replica limits locally (fail-safe) and shares again once Redis is back")
    func redisDown() async throws {
        let server = try await EmbeddedRedis.start(logger: AuthFixtures.logger)
        let redis = try RedisClient(url: server.url)
        let prefix = "txad:test:\(UUID().uuidString):"
        let limiter = RateLimiter(
            limits: Self.limits(burst: 5), redis: redis, keyPrefix: prefix, logger: AuthFixtures.logger)
        #expect(await limiter.check(.principal(Self.principal), address: "10.0.0.2").shared)
        try await server.kill()
        var allowed = 0
        for _ in 0..<20 {
            let verdict = await limiter.check(.principal(Self.principal), address: "10.0.0.2")
            #expect(!verdict.shared)
            if verdict.allowed { allowed += 1 }
        }
        #expect((5...6).contains(allowed), "the local limiter must refuse beyond the burst, not let everything through")
        try await server.restart()
        // After the one-second local period the limiter tries Redis again.
        try await Task.sleep(for: .milliseconds(1100))
        var sharedAgain = false
        for _ in 0..<20 where !sharedAgain {
            sharedAgain = await limiter.check(.principal(Self.principal), address: "10.0.0.3").shared
            if !sharedAgain { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(sharedAgain)
        await redis.shutdown()
        try await server.stop()
    }
}

@Suite("Rate limits reserved from Redis in blocks")
struct RateLimiterBlockTests {
    static let principal = Principal(name: "blocks", role: .scorer, method: .apiKey)

    static func limits(rate: Double, burst: Double) -> RateLimits {
        RateLimits(
            perRole: [.scorer: .init(ratePerSecond: rate, burst: burst)],
            anonymous: .init(ratePerSecond: rate, burst: burst),
            perAddress: .init(ratePerSecond: 100_000, burst: 100_000))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    @Test("block sizes follow the rate and burst: small limits get blocks of one token")
    func blockSizes() {
        let limiter = RateLimiter(limits: RateLimits(), redis: nil, logger: AuthFixtures.logger)
        func size(_ rate: Double, _ burst: Double) -> Int {
            limiter.blockSize(for: [.init(key: "a", ratePerSecond: rate, burst: burst)])
        }
        #expect(size(0.1, 6) == 1)
        #expect(size(19, 100) == 1)
        #expect(size(1000, 2000) == 50)
        #expect(size(1000, 20) == 5)
        #expect(size(1e9, 1e9) == 10_000)
        // Two buckets: the tighter rate and the smaller burst decide.
        #expect(
            limiter.blockSize(for: [
                .init(key: "a", ratePerSecond: 1000, burst: 2000), .init(key: "b", ratePerSecond: 400, burst: 4000),
            ]) == 20)
    }

    @Test("TXAD_RATE_LIMIT_BLOCK_MS sets the block window (default 50 ms, 0 = one token per call, at most 1000)")
    func blockWindowSetting() throws {
        func resolve(_ extra: [String: String]) throws -> AccessConfiguration {
            try AccessConfiguration.resolve(
                settings: Settings(
                    environment: [
                        "TXAD_JWT_SECRET": String(repeating: "s", count: 32),
                        "TXAD_JWT_ISSUER": "i", "TXAD_JWT_AUDIENCE": "a",
                    ].merging(extra) { $1 }),
                auth: nil, databaseURL: nil, jwtJWKSFile: nil, trustedProxies: nil)
        }
        #expect(try resolve([:]).rateLimits?.blockWindow == .milliseconds(50))
        #expect(try resolve(["TXAD_RATE_LIMIT_BLOCK_MS": "0"]).rateLimits?.blockWindow == .zero)
        #expect(try resolve(["TXAD_RATE_LIMIT_BLOCK_MS": "200"]).rateLimits?.blockWindow == .milliseconds(200))
        for bad in ["-1", "1001", "x"] {
            #expect(throws: ConfigurationError.self) { try resolve(["TXAD_RATE_LIMIT_BLOCK_MS": bad]) }
        }
        let bucket = RedisTokenBuckets.Bucket(key: "k", ratePerSecond: 1000, burst: 2000)
        let limits = try #require(try resolve(["TXAD_RATE_LIMIT_BLOCK_MS": "0"]).rateLimits)
        #expect(RateLimiter(limits: limits, redis: nil, logger: AuthFixtures.logger).blockSize(for: [bucket]) == 1)
        #expect(
            RateLimiter(limits: RateLimits(), redis: nil, logger: AuthFixtures.logger).blockSize(for: [bucket]) == 50)
    }

    @Test("two limiters sharing a bucket never admit more than burst + rate × elapsed, with few Redis calls")
    func sharedBound() async throws {
        let url = try await TestStores.redisURL()
        let (r1, r2) = (try RedisClient(url: url), try RedisClient(url: url))
        let prefix = "txad:test:\(UUID().uuidString):"
        let (rate, burst) = (400.0, 100.0)
        let limiters = [r1, r2].map {
            RateLimiter(
                limits: Self.limits(rate: rate, burst: burst), redis: $0, keyPrefix: prefix, logger: AuthFixtures.logger
            )
        }
        #expect(limiters[0].blockSize(for: [.init(key: "k", ratePerSecond: rate, burst: burst)]) == 20)
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(1500)
        let counts = await withTaskGroup(of: (admitted: Int, checks: Int, allShared: Bool).self) { group in
            for task in 0..<32 {
                let limiter = limiters[task % 2]
                group.addTask {
                    var (admitted, checks, allShared) = (0, 0, true)
                    while clock.now < deadline {
                        let verdict = await limiter.check(.principal(Self.principal), address: "10.0.0.1")
                        checks += 1
                        allShared = allShared && verdict.shared
                        if verdict.allowed { admitted += 1 } else { #expect(verdict.retryAfterSeconds >= 1) }
                        await Task.yield()
                    }
                    return (admitted, checks, allShared)
                }
            }
            var total = (admitted: 0, checks: 0, allShared: true)
            for await count in group {
                total.admitted += count.admitted
                total.checks += count.checks
                total.allShared = total.allShared && count.allShared
            }
            return total
        }
        let elapsed = Self.seconds(clock.now - start)
        let bound = burst + rate * elapsed + 1  // +1: Redis's millisecond clock
        let calls = limiters[0].sharedCalls + limiters[1].sharedCalls
        #expect(counts.allShared)
        #expect(counts.checks > counts.admitted, "the test must push past the limit")
        #expect(Double(counts.admitted) <= bound, "admitted \(counts.admitted) in \(elapsed) s, bound \(bound)")
        // Not starved either: the burst at least, less what the two replicas may hold unspent.
        #expect(counts.admitted >= Int(burst) - 2 * 20)
        // Blocks: far fewer Redis calls than checks (and than admitted requests).
        #expect(calls * 3 < counts.admitted, "\(calls) Redis calls for \(counts.admitted) admitted")
        #expect(calls * 20 < counts.checks, "\(calls) Redis calls for \(counts.checks) checks")
        await r1.shutdown()
        await r2.shutdown()
    }

    @Test("many concurrent requests on one limiter share its blocks safely and get the whole burst")
    func concurrent() async throws {
        let redis = try RedisClient(url: try await TestStores.redisURL())
        let limiter = RateLimiter(
            limits: Self.limits(rate: 10, burst: 200), redis: redis, keyPrefix: "txad:test:\(UUID().uuidString):",
            blockWindow: .seconds(1), logger: AuthFixtures.logger)
        let clock = ContinuousClock()
        let start = clock.now
        let verdicts = await withTaskGroup(of: RateLimiter.Verdict.self) { group in
            for _ in 0..<300 {
                group.addTask { await limiter.check(.principal(Self.principal), address: "10.0.0.9") }
            }
            var all: [RateLimiter.Verdict] = []
            for await verdict in group { all.append(verdict) }
            return all
        }
        let elapsed = Self.seconds(clock.now - start)
        let admitted = verdicts.filter(\.allowed).count
        #expect(admitted >= 200 - 10, "one replica alone gets the burst, less at most one block unspent")
        #expect(Double(admitted) <= 200 + 10 * elapsed + 1)
        #expect(limiter.sharedCalls <= 40, "blocks of 10: about 20 reservations, not one per request")
        // Admitted requests were told distinct remainders (each token spent once).
        let remainders = verdicts.filter(\.allowed).map(\.remaining)
        #expect(Set(remainders).count >= admitted - Int(10 * elapsed) - 11)
        await redis.shutdown()
    }

    @Test("a refused caller costs no Redis call until the moment Redis named; headers stay truthful")
    func refusalRemembered() async throws {
        let redis = try RedisClient(url: try await TestStores.redisURL())
        let limiter = RateLimiter(
            limits: Self.limits(rate: 100, burst: 40), redis: redis, keyPrefix: "txad:test:\(UUID().uuidString):",
            logger: AuthFixtures.logger)
        #expect(limiter.blockSize(for: [.init(key: "k", ratePerSecond: 100, burst: 40)]) == 5)
        let subject = RateLimiter.Subject.principal(Self.principal)
        let clock = ContinuousClock()
        let start = clock.now
        var admitted: [RateLimiter.Verdict] = []
        var refused: RateLimiter.Verdict?
        while refused == nil, admitted.count < 10_000 {
            let verdict = await limiter.check(subject, address: "10.0.0.7")
            if verdict.allowed { admitted.append(verdict) } else { refused = verdict }
        }
        let refill = Int((Self.seconds(clock.now - start) * 100).rounded(.up))
        #expect((40...(41 + refill)).contains(admitted.count))
        #expect(admitted.first?.remaining == 39)
        #expect(admitted.allSatisfy { $0.limit == 40 })
        for (index, verdict) in admitted.enumerated() {
            // What is left: the shared bucket at the last reservation plus this replica's unspent block.
            #expect((39 - index...39 - index + refill).contains(verdict.remaining), "request \(index): \(verdict)")
        }
        let refusal = try #require(refused)
        #expect(refusal.remaining == 0)
        #expect(refusal.retryAfterSeconds == 1)
        let calls = limiter.sharedCalls
        #expect(calls < admitted.count / 3, "blocks of 5: \(calls) calls for \(admitted.count) requests")
        for _ in 0..<50 {
            let verdict = await limiter.check(subject, address: "10.0.0.7")
            if verdict.allowed { break }
            #expect(verdict.retryAfterSeconds == 1)
        }
        #expect(limiter.sharedCalls <= calls + 1, "refusals are answered from the remembered Retry-After")
        await redis.shutdown()
    }

    @Test("with Redis killed a limiter holding a block falls back to the local buckets, not to its block")
    func redisDownWithBlocks() async throws {
        let server = try await EmbeddedRedis.start(logger: AuthFixtures.logger)
        let redis = try RedisClient(url: server.url)
        let limiter = RateLimiter(
            limits: Self.limits(rate: 1, burst: 40), redis: redis, keyPrefix: "txad:test:\(UUID().uuidString):",
            blockWindow: .seconds(10), logger: AuthFixtures.logger)
        let subject = RateLimiter.Subject.principal(Self.principal)
        #expect(await limiter.check(subject, address: "10.0.0.8").shared)
        try await server.kill()
        // The block of 10 is spent first (it was taken from Redis); then Redis is needed and the local limiter decides.
        let clock = ContinuousClock()
        let start = clock.now
        var (allowed, local) = (0, 0)
        for _ in 0..<100 {
            let verdict = await limiter.check(subject, address: "10.0.0.8")
            if verdict.allowed { allowed += 1 }
            if !verdict.shared { local += 1 }
        }
        let refill = Int(Self.seconds(clock.now - start).rounded(.up))
        #expect(local > 50)
        #expect(allowed <= 9 + 40 + refill, "local burst 40 plus the unspent block: fail-safe, not fail-open")
        await redis.shutdown()
        try await server.stop()
    }
}

@Suite("Client addresses and networks")
struct ClientAddressTests {
    @Test("CIDR matching for IPv4, IPv6 and IPv4-mapped addresses")
    func networks() throws {
        let v4 = try #require(IPNetwork("10.0.0.0/8"))
        #expect(v4.contains("10.200.3.4"))
        #expect(!v4.contains("11.0.0.1"))
        #expect(v4.contains("::ffff:10.1.2.3"))
        let v6 = try #require(IPNetwork("fd00::/8"))
        #expect(v6.contains("fd12:3456::1"))
        #expect(!v6.contains("fe80::1"))
        #expect(try #require(IPNetwork("::1")).contains("0:0:0:0:0:0:0:1"))
        for bad in ["10.0.0.0/33", "300.1.1.1", "1.2.3", "::1::2", "abc", "10.0.0.1/x", ""] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
    }

    @Test("X-Forwarded-For is believed only from trusted proxies, read from the right")
    func forwardedFor() throws {
        let resolver = ClientAddressResolver(trustedProxies: [try #require(IPNetwork("10.0.0.0/8"))])
        #expect(resolver.clientAddress(peer: "203.0.113.9", forwardedFor: ["1.2.3.4"]) == "203.0.113.9")
        #expect(resolver.clientAddress(peer: "10.0.0.5", forwardedFor: ["1.2.3.4"]) == "1.2.3.4")
        // A client cannot spoof by prepending: the rightmost untrusted hop wins.
        #expect(resolver.clientAddress(peer: "10.0.0.5", forwardedFor: ["6.6.6.6, 1.2.3.4, 10.0.0.9"]) == "1.2.3.4")
        #expect(resolver.clientAddress(peer: "10.0.0.5", forwardedFor: ["garbage"]) == "10.0.0.5")
        #expect(resolver.clientAddress(peer: nil, forwardedFor: []) == "unknown")
    }

    @Test("rate limit settings parse RATE and RATE/BURST")
    func limits() {
        #expect(RateLimits.Limit("100") == .init(ratePerSecond: 100, burst: 200))
        #expect(RateLimits.Limit("0.5/3") == .init(ratePerSecond: 0.5, burst: 3))
        for bad in ["", "0", "-1", "x", "10/0", "1/2/3", "inf"] { #expect(RateLimits.Limit(bad) == nil, "\(bad)") }
    }
}
