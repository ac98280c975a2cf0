import Logging

/// A Redis client with a small connection pool: binary-safe commands, pipelines, Lua scripts, TTL helpers.
///
/// ```swift
/// let redis = try RedisClient(url: "redis://127.0.0.1:6379/0")
/// _ = try await redis.set("prediction:tx-1", to: json, expiresIn: .seconds(300), onlyIfAbsent: true)
/// let cached = try await redis.get("prediction:tx-1")           // [UInt8]?
/// let replies = try await redis.pipeline(commands)              // one round trip
/// try await redis.shutdown()                                    // required before the client is released
/// ```
///
/// - Concurrency: `Sendable`; share one client per process. Each call borrows one pooled connection; the blocking
///   hiredis calls run on the client's own thread pool (one thread per connection), never on the Swift
///   concurrency pool or an event loop.
/// - Failures: an error reply throws `StoreError` `.serverError` (except inside `pipeline`, which returns
///   `.error` values in place). A refused connection, broken connection or timeout throws `.unavailable` at once;
///   the broken connection is dropped and the next call dials a new one. Idle connections are checked before use,
///   so after a Redis restart the next call succeeds without an error.
/// - Not supported: `SUBSCRIBE`/`MONITOR` (they take over a pooled connection), and `MULTI`/`EXEC` split across
///   calls (a transaction must be one `pipeline` call, which always runs on one connection).
/// - Call `shutdown()` when done: it closes the connections and stops the threads.
public final class RedisClient: Sendable {
    /// The configuration the client was created with.
    public let configuration: Configuration
    private let pool: ConnectionPool<RedisConnection>

    /// Creates a client; connections are dialled on first use, so this never fails or blocks.
    public init(configuration: Configuration, logger: Logger = Logger(label: "txad.redis")) {
        self.configuration = configuration
        self.pool = ConnectionPool(size: configuration.poolSize, configuration: configuration, logger: logger)
    }

    /// Creates a client from `redis://[[user]:password@]host[:port][/database]` with default pool and timeouts.
    ///
    /// - Throws: `StoreError` `.invalidConfiguration` for a malformed URL.
    public convenience init(url: String, logger: Logger = Logger(label: "txad.redis")) throws {
        self.init(configuration: try Configuration(url: url), logger: logger)
    }

    /// Sends one command and returns its reply.
    ///
    /// - Throws: `StoreError` `.serverError` with Redis' message for an error reply; `.unavailable` when Redis
    ///   cannot be reached; `.invalidArgument` for an empty command.
    @discardableResult
    public func command(_ command: RedisCommand) async throws -> RedisValue {
        let reply = try await send(command)
        if let message = reply.errorMessage {
            throw StoreError(.serverError, "Redis \(command.name): \(message)")
        }
        return reply
    }

    /// Sends one command given as its name and arguments: `try await redis.command("INCRBY", key, 5)`.
    @discardableResult
    public func command(_ name: String, _ arguments: any RedisArgumentConvertible...) async throws -> RedisValue {
        try await command(RedisCommand(name, arguments: arguments))
    }

    /// Sends all commands, then reads all replies: one round trip, one connection, replies in order.
    ///
    /// Error replies come back as `.error` in their position, so `MULTI … EXEC` or independent commands can be
    /// batched; nothing is thrown for them. An empty list returns at once.
    ///
    /// - Throws: `StoreError` `.unavailable` if the connection fails (which commands ran is then unknown).
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        return try await pool.withConnection { try $0.execute(commands) }
    }

    /// Runs a Lua script with `EVALSHA`; if Redis does not know it (`NOSCRIPT`), loads it and retries once.
    ///
    /// - Throws: `StoreError` `.serverError` when the script raises an error, `.unavailable` as for `command`.
    @discardableResult
    public func run(
        _ script: RedisScript, keys: [String] = [], arguments: [any RedisArgumentConvertible] = []
    ) async throws -> RedisValue {
        var evalsha = RedisCommand("EVALSHA", script.sha1, keys.count)
        for key in keys { evalsha.append(key) }
        for argument in arguments { evalsha.append(argument) }
        var reply = try await send(evalsha)
        if reply.errorMessage?.hasPrefix("NOSCRIPT") == true {
            let loaded = try await command("SCRIPT", "LOAD", script.source)
            guard loaded.string == script.sha1 else {
                throw StoreError(
                    .unexpectedReply, "SCRIPT LOAD returned \(loaded.string ?? "\(loaded)"), expected \(script.sha1)")
            }
            reply = try await send(evalsha)
        }
        if let message = reply.errorMessage {
            throw StoreError(.serverError, "Redis script \(script.sha1.prefix(12)): \(message)")
        }
        return reply
    }

    /// `GET key`: the value's bytes, or nil when the key does not exist.
    public func get(_ key: String) async throws -> [UInt8]? {
        let reply = try await command("GET", key)
        switch reply {
        case .bulk(let bytes): return bytes
        case .null: return nil
        default: throw StoreError(.unexpectedReply, "GET returned \(reply)")
        }
    }

    /// `SET key value [PX ms] [NX]`: stores `value`, optionally expiring and only if the key is absent.
    ///
    /// - Parameters:
    ///   - expiresIn: time to live (millisecond precision, at least 1 ms); nil keeps the key until deleted.
    ///   - onlyIfAbsent: `NX`, for "first writer wins" (idempotency keys, locks).
    /// - Returns: whether the value was stored (false only when `onlyIfAbsent` and the key existed).
    @discardableResult
    public func set(
        _ key: String, to value: some RedisArgumentConvertible, expiresIn: Duration? = nil, onlyIfAbsent: Bool = false
    ) async throws -> Bool {
        var set = RedisCommand("SET", key, value)
        if let expiresIn {
            set.append("PX")
            set.append(try Self.milliseconds(expiresIn, for: "SET expiresIn"))
        }
        if onlyIfAbsent { set.append("NX") }
        let reply = try await command(set)
        return reply != .null
    }

    /// `DEL key…`: the number of keys that existed and were removed.
    @discardableResult
    public func delete(_ keys: String...) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        let reply = try await command(RedisCommand("DEL", arguments: keys))
        guard let count = reply.int64 else { throw StoreError(.unexpectedReply, "DEL returned \(reply)") }
        return Int(count)
    }

    /// `PEXPIRE key ms`: sets a key's time to live (millisecond precision, at least 1 ms).
    ///
    /// - Returns: whether the key exists (and now expires).
    @discardableResult
    public func expire(_ key: String, in duration: Duration) async throws -> Bool {
        let reply = try await command("PEXPIRE", key, try Self.milliseconds(duration, for: "EXPIRE"))
        return reply == .integer(1)
    }

    /// `TTL key`: how long the key has left.
    public func timeToLive(_ key: String) async throws -> RedisTimeToLive {
        let reply = try await command("TTL", key)
        switch reply.int64 {
        case -2: return .keyMissing
        case -1: return .noExpiry
        case let seconds? where seconds >= 0: return .seconds(seconds)
        default: throw StoreError(.unexpectedReply, "TTL returned \(reply)")
        }
    }

    /// `PING`, for readiness checks: throws `.unavailable` when Redis cannot be reached.
    public func ping() async throws {
        let reply = try await command("PING")
        guard reply == .status("PONG") else { throw StoreError(.unexpectedReply, "PING returned \(reply)") }
    }

    /// Closes every connection and stops the client's threads; later calls throw `.shutDown`.
    ///
    /// Must be called before the last reference goes away (SwiftNIO asserts that its thread pool was shut down).
    public func shutdown() async {
        await pool.shutdown()
    }

    private static func milliseconds(_ duration: Duration, for what: String) throws -> Int64 {
        let parts = duration.components
        let milliseconds = parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
        guard milliseconds >= 1 else {
            throw StoreError(.invalidArgument, "\(what): \(duration) is shorter than 1 ms")
        }
        return milliseconds
    }

    private func send(_ command: RedisCommand) async throws -> RedisValue {
        let replies = try await pool.withConnection { try $0.execute([command]) }
        guard let reply = replies.first else { throw StoreError(.unexpectedReply, "no reply to \(command)") }
        return reply
    }
}

/// The answer of `RedisClient.timeToLive(_:)`.
public enum RedisTimeToLive: Sendable, Hashable {
    /// The key does not exist.
    case keyMissing
    /// The key exists and never expires.
    case noExpiry
    /// The key expires in this many seconds (rounded).
    case seconds(Int64)
}
