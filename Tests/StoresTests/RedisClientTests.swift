import EmbeddedStores
import Foundation
import Testing

@testable import Stores

@Suite("RedisClient against a real redis-server")
struct RedisClientTests {
    @Test func pingSetGetAndTimeToLive() async throws {
        try await StoreFixtures.withRedis { redis in
            let key = StoreFixtures.uniqueName("ttl")
            try await redis.ping()
            #expect(try await redis.set(key, to: "value", expiresIn: .seconds(30)))
            #expect(try await redis.get(key) == Array("value".utf8))
            let ttl = try await redis.timeToLive(key)
            #expect(ttl == .seconds(30) || ttl == .seconds(29))
            #expect(try await redis.get(key + ":missing") == nil)
            #expect(try await redis.timeToLive(key + ":missing") == .keyMissing)
            try await redis.set(key, to: "forever")
            #expect(try await redis.timeToLive(key) == .noExpiry)
            #expect(try await redis.expire(key, in: .seconds(100)))
            let renewed = try await redis.timeToLive(key)
            #expect(renewed == .seconds(100) || renewed == .seconds(99))
            #expect(try await redis.expire(key + ":missing", in: .seconds(1)) == false)
            #expect(try await redis.delete(key, key + ":missing") == 1)
            #expect(try await redis.get(key) == nil)
        }
    }

    @Test func setIfAbsentKeepsTheFirstValue() async throws {
        try await StoreFixtures.withRedis { redis async throws in
            let key = StoreFixtures.uniqueName("nx")
            #expect(try await redis.set(key, to: "first", expiresIn: .seconds(60), onlyIfAbsent: true))
            #expect(try await redis.set(key, to: "second", expiresIn: .seconds(60), onlyIfAbsent: true) == false)
            #expect(try await redis.get(key) == Array("first".utf8))
        }
    }

    @Test func binaryValuesAndKeysRoundTrip() async throws {
        try await StoreFixtures.withRedis { redis in
            let key = StoreFixtures.uniqueName("bin")
            let everyByte = (0...255).map(UInt8.init) + [0, 13, 10, 0]
            try await redis.set(key, to: everyByte)
            #expect(try await redis.get(key) == everyByte)
            try await redis.set(key, to: [UInt8]())
            #expect(try await redis.get(key) == [])

            var binaryKey = RedisCommand("SET")
            binaryKey.append(Array(key.utf8) + [0, 255])
            binaryKey.append("v")
            try await redis.command(binaryKey)
            var get = RedisCommand("GET")
            get.append(Array(key.utf8) + [0, 255])
            #expect(try await redis.command(get) == .bulk(Array("v".utf8)))
            #expect(try await redis.get(key + "\0\u{FF}") == nil)  // a different key: U+00FF is two bytes in UTF-8
        }
    }

    @Test func integersArraysAndNil() async throws {
        try await StoreFixtures.withRedis { redis async throws in
            let key = StoreFixtures.uniqueName("list")
            #expect(try await redis.command("INCRBY", key + ":n", 5) == .integer(5))
            #expect(try await redis.command("INCRBY", key + ":n", Int64(-7)).int64 == -2)
            #expect(try await redis.command("RPUSH", key, "a", [UInt8]([0, 1]), 3) == .integer(3))
            #expect(
                try await redis.command("LRANGE", key, 0, -1)
                    == .array([.bulk(Array("a".utf8)), .bulk([0, 1]), .bulk(Array("3".utf8))]))
            #expect(try await redis.command("GET", key + ":absent") == .null)
            #expect(try await redis.command("LRANGE", key + ":absent", 0, -1) == .array([]))
            #expect(try await redis.command("SET", key + ":s", "x") == .status("OK"))
        }
    }

    @Test func errorReplyThrowsAndTheConnectionStaysUsable() async throws {
        try await StoreFixtures.withRedis(poolSize: 1) { redis in
            let error = await #expect(throws: StoreError.self) { try await redis.command("NOSUCHCOMMAND", "x") }
            #expect(error?.code == .serverError)
            #expect(error?.message.contains("unknown command") == true)
            let wrongType = await #expect(throws: StoreError.self) {
                let key = StoreFixtures.uniqueName("wrongtype")
                try await redis.command("RPUSH", key, "a")
                try await redis.command("INCR", key)
            }
            #expect(wrongType?.message.contains("WRONGTYPE") == true)
            try await redis.ping()
        }
    }

    @Test func pipelineOfAThousandSetsAndGetsMatchesReplies() async throws {
        try await StoreFixtures.withRedis { redis in
            let prefix = StoreFixtures.uniqueName("pipe")
            let sets = (0..<1000).map { RedisCommand("SET", "\(prefix):\($0)", "value-\($0)", "EX", 60) }
            let gets = (0..<1000).map { RedisCommand("GET", "\(prefix):\($0)") }
            let clock = ContinuousClock()
            var replies: [RedisValue] = []
            let elapsed = try await clock.measure { replies = try await redis.pipeline(sets + gets) }
            print("benchmark: pipelined 1,000 SET + 1,000 GET in one round trip: \(elapsed)")
            #expect(replies.count == 2000)
            #expect(replies[..<1000].allSatisfy { $0 == .status("OK") })
            for index in 0..<1000 {
                #expect(replies[1000 + index] == .bulk(Array("value-\(index)".utf8)))
            }
        }
    }

    @Test func pipelineReturnsErrorRepliesInPlace() async throws {
        try await StoreFixtures.withRedis { redis in
            let key = StoreFixtures.uniqueName("pipe-error")
            let replies = try await redis.pipeline([
                RedisCommand("SET", key, "1"), RedisCommand("NOSUCHCOMMAND"), RedisCommand("INCR", key),
            ])
            #expect(replies.count == 3)
            #expect(replies[0] == .status("OK"))
            #expect(replies[1].errorMessage?.contains("unknown command") == true)
            #expect(replies[2] == .integer(2))
            #expect(try await redis.pipeline([]) == [])
        }
    }

    @Test func multiExecInOnePipelineIsATransaction() async throws {
        try await StoreFixtures.withRedis { redis in
            let key = StoreFixtures.uniqueName("multi")
            let replies = try await redis.pipeline([
                RedisCommand("MULTI"), RedisCommand("INCR", key), RedisCommand("INCR", key), RedisCommand("EXEC"),
            ])
            #expect(replies.last == .array([.integer(1), .integer(2)]))
        }
    }

    @Test func scriptsRunByShaAndRecoverFromScriptFlush() async throws {
        // Its own server: SCRIPT FLUSH would disturb scripts of other tests on the shared one.
        let server = try await EmbeddedRedis.start(logger: StoreFixtures.logger)
        do {
            try await StoreFixtures.withRedis(url: server.url) { redis in
                let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
                let key = StoreFixtures.uniqueName("script")
                #expect(try await redis.run(script, keys: [key], arguments: [5]) == .integer(5))
                #expect(try await redis.command("SCRIPT", "LOAD", script.source).string == script.sha1)

                try await redis.command("SCRIPT", "FLUSH")
                #expect(try await redis.command("SCRIPT", "EXISTS", script.sha1) == .array([.integer(0)]))
                #expect(try await redis.run(script, keys: [key], arguments: [2]) == .integer(7))

                let failing = RedisScript("return redis.error_reply('nope')")
                let error = await #expect(throws: StoreError.self) { try await redis.run(failing) }
                #expect(error?.code == .serverError)
                #expect(error?.message.contains("nope") == true)
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func sha1MatchesKnownVectors() {
        #expect(SHA1.hexDigest("".utf8) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(SHA1.hexDigest("abc".utf8) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(
            SHA1.hexDigest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(
            SHA1.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func selectsTheDatabaseFromTheConfiguration() async throws {
        let base = try RedisClient.Configuration(url: try await TestStores.redisURL())
        let key = StoreFixtures.uniqueName("db")
        func client(database: Int) throws -> RedisClient {
            RedisClient(
                configuration: try .init(
                    host: base.host, port: base.port, username: base.username, password: base.password,
                    database: database),
                logger: StoreFixtures.logger)
        }
        let three = try client(database: 3)
        let zero = try client(database: 0)
        do {
            try await three.set(key, to: "in-3")
            #expect(try await three.get(key) == Array("in-3".utf8))
            #expect(try await zero.get(key) == nil)
        } catch {
            await three.shutdown()
            await zero.shutdown()
            throw error
        }
        await three.shutdown()
        await zero.shutdown()
    }

    @Test func manyConcurrentCallsShareASmallPool() async throws {
        try await StoreFixtures.withRedis(poolSize: 2) { redis in
            let prefix = StoreFixtures.uniqueName("concurrent")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await redis.set("\(prefix):\(index)", to: index)
                        #expect(try await redis.get("\(prefix):\(index)") == Array(String(index).utf8))
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func shutDownClientRefusesCalls() async throws {
        let redis = try RedisClient(url: try await TestStores.redisURL(), logger: StoreFixtures.logger)
        try await redis.ping()
        await redis.shutdown()
        let error = await #expect(throws: StoreError.self) { try await redis.ping() }
        #expect(error?.code == .shutDown)
    }

    @Test func configurationParsesAndValidatesURLs() throws {
        let full = try RedisClient.Configuration(url: "redis://alice:s%3Acret@cache.internal:6380/2")
        #expect(full.host == "cache.internal")
        #expect(full.port == 6380)
        #expect(full.username == "alice")
        #expect(full.password == "s:cret")
        #expect(full.database == 2)
        #expect(!full.description.contains("cret"))

        let passwordOnly = try RedisClient.Configuration(url: "redis://:pw@127.0.0.1")
        #expect(passwordOnly.username == nil && passwordOnly.password == "pw" && passwordOnly.port == 6379)

        for (url, fragment) in [
            ("rediss://host:6379", "scheme"), ("redis://host:6379/abc", "database number"),
            ("redis://host:0", "port"), ("redis:///0", "host"), ("not a url", "URL"),
        ] {
            let error = #expect(throws: StoreError.self) { try RedisClient.Configuration(url: url) }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.message.contains(fragment) == true, "\(url): \(error?.message ?? "")")
        }
    }

    @Test func commandDescriptionHidesValues() {
        let command = RedisCommand("set", "user:42", "secret-value")
        #expect(command.description == "SET (2 arguments)")
        #expect(command.arguments == [Array("set".utf8), Array("user:42".utf8), Array("secret-value".utf8)])
    }
}
