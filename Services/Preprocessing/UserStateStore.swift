import Detection
import Logging
import Stores

/// Per-user feature state in Redis, read and written for a whole batch in two pipelined round trips.
///
/// Writes are compare-and-set (a Lua script that replaces the value only if it is still the one that was read), so
/// two preprocessing replicas scoring the same user at the same moment never lose an update: the loser re-reads and
/// recomputes.
struct UserStateStore: Sendable {
    let redis: RedisClient
    let ttl: Duration
    let logger: Logger

    /// `KEYS[1]` user key; `ARGV[1]` the value read ('' when absent), `ARGV[2]` the new value, `ARGV[3]` TTL ms.
    static let compareAndSet = RedisScript(
        """
        local current = redis.call('GET', KEYS[1])
        if (current == false and ARGV[1] == '') or current == ARGV[1] then
          redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
          return 1
        end
        return 0
        """)

    static func key(_ userID: String) -> String { "txad:user:\(userID)" }

    /// The stored bytes of each user's state (nil when the user has none yet).
    func read(_ userIDs: [String]) async throws -> [[UInt8]?] {
        let replies = try await redis.pipeline(userIDs.map { RedisCommand("GET", Self.key($0)) })
        return try replies.map { reply in
            switch reply {
            case .bulk(let bytes): return bytes
            case .null: return nil
            default: throw StoreError(.unexpectedReply, "GET user state returned \(reply)")
            }
        }
    }

    /// Writes new states where the stored value is still `expected`; returns, per user, whether it was written.
    func write(_ updates: [(userID: String, expected: [UInt8]?, new: [UInt8])]) async throws -> [Bool] {
        guard !updates.isEmpty else { return [] }
        let milliseconds = ttl.components.seconds * 1000
        func commands() -> [RedisCommand] {
            updates.map { update in
                RedisCommand(
                    "EVALSHA", Self.compareAndSet.sha1, 1, Self.key(update.userID), update.expected ?? [],
                    update.new, milliseconds)
            }
        }
        var replies = try await redis.pipeline(commands())
        if replies.contains(where: { $0.errorMessage?.hasPrefix("NOSCRIPT") == true }) {
            _ = try await redis.command("SCRIPT", "LOAD", Self.compareAndSet.source)
            replies = try await redis.pipeline(commands())
        }
        return try replies.map { reply in
            if let message = reply.errorMessage { throw StoreError(.serverError, "user state CAS: \(message)") }
            return reply.int64 == 1
        }
    }
}
