import Auth
import EmbeddedStores
import Foundation
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
        let first = RateLimiter(limits: Self.limits(burst: 10), redis: r1, keyPrefix: prefix, logger: AuthFixtures.logger)
        let second = RateLimiter(limits: Self.limits(burst: 10), redis: r2, keyPrefix: prefix, logger: AuthFixtures.logger)
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
        let limiter = RateLimiter(limits: Self.limits(burst: 5), redis: redis, keyPrefix: prefix, logger: AuthFixtures.logger)
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
