import ArgumentParser
import Auth
import EmbeddedStores
import Foundation
import Logging
import Stores

/// `txad bench ratelimit`: what the shared rate limiter costs per request, without the rest of the gateway. Runs
/// ``RateLimiter/check(_:address:)`` from concurrent tasks against a throwaway Redis for a few seconds under a limit
/// high enough that nothing is refused (by default), and prints checks/s and Redis calls for: one token per Lua
/// call (`blockWindow` 0 — for admitted requests the old path, one call each), blocks (the default 50 ms window),
/// and local buckets only (no Redis, the floor). Prints a table; never asserts.
struct RateLimitBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ratelimit",
        abstract: "Rate-limit checks/s and Redis calls: one Lua call per request vs reserved blocks vs local only.")

    @Option(help: "Seconds per mode.") var seconds = 3
    @Option(help: "Concurrent tasks calling the limiter.") var concurrency = 32
    @Option(help: "Distinct API keys the tasks use in turn.") var keys = 4
    @Option(help: "The limit per key and per address, RATE/BURST (high: nothing should be refused).")
    var limit = "100000/100000"

    func validate() throws {
        guard (1...300).contains(seconds) else { throw ValidationError("--seconds must be 1…300") }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be 1…1024") }
        guard (1...10_000).contains(keys) else { throw ValidationError("--keys must be 1…10000") }
        guard RateLimits.Limit(limit) != nil else { throw ValidationError("--limit must be RATE or RATE/BURST") }
    }

    func run() async throws {
        var logger = Logger(label: "txad.bench.ratelimit")
        logger.logLevel = .warning
        guard let shape = RateLimits.Limit(limit) else { throw ValidationError("--limit must be RATE or RATE/BURST") }
        let limits = RateLimits(
            perRole: [.scorer: shape, .analyst: shape, .admin: shape], anonymous: shape, perAddress: shape)
        FileHandle.standardError.write(Data("starting Redis…\n".utf8))
        let server = try await EmbeddedRedis.start(logger: logger)
        let redis = try RedisClient(url: server.url)
        var rows: [String] = []
        do {
            let modes: [(String, RedisClient?, Duration?)] = [
                ("Redis, 1 token per Lua call", redis, .zero),
                ("Redis, reserved blocks (50 ms)", redis, nil),
                ("local buckets only", nil, .zero),
            ]
            for (index, (name, client, window)) in modes.enumerated() {
                let limiter = RateLimiter(
                    limits: limits, redis: client, keyPrefix: "txad:bench:\(index):", blockWindow: window,
                    logger: logger)
                rows.append(try await measure(name, limiter: limiter, shared: client != nil))
            }
        } catch {
            await redis.shutdown()
            try? await server.stop()
            throw error
        }
        await redis.shutdown()
        try await server.stop()
        print("mode                              checks/s   refused  Redis calls  calls/1000 checks")
        for row in rows { print(row) }
        print("(\(concurrency) tasks, \(keys) keys, limit \(limit), \(seconds) s per mode)")
    }

    private func measure(_ name: String, limiter: RateLimiter, shared: Bool) async throws -> String {
        let principals = (0..<keys).map { Principal(name: "bench-\($0)", role: .scorer, method: .apiKey) }
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .seconds(seconds)
        let (checks, refused) = await withTaskGroup(of: (Int, Int).self) { group in
            for task in 0..<concurrency {
                group.addTask {
                    var (checks, refused) = (0, 0)
                    while clock.now < deadline {
                        let verdict = await limiter.check(
                            .principal(principals[(task + checks) % principals.count]), address: "10.0.0.1")
                        checks += 1
                        if !verdict.allowed { refused += 1 }
                    }
                    return (checks, refused)
                }
            }
            var total = (0, 0)
            for await (checks, refused) in group {
                total.0 += checks
                total.1 += refused
            }
            return total
        }
        let elapsed = clock.now - start
        let perSecond =
            Double(checks) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let calls = shared ? limiter.sharedCalls : 0
        return name.padding(toLength: 32, withPad: " ", startingAt: 0)
            + String(
                format: "%10.0f  %8d  %11d  %17.1f", perSecond, refused, calls,
                Double(calls) * 1000 / Double(max(1, checks)))
    }
}
