import Detection
import Logging
import Stores

/// Per-user feature state in Redis, read and written for a whole batch in two round trips.
///
/// Reads are `MGET`s; writes are compare-and-set for many users per call (a Lua script that replaces each value only
/// if it is still the one that was read), so two preprocessing replicas scoring the same user at the same moment
/// never lose an update: the loser re-reads and recomputes. Both go in groups of ``usersPerCommand`` keys, pipelined,
/// so one slow script never holds Redis for long. (All keys of one script call must live on one server: fine for a
/// single Redis or a primary with replicas, not for Redis Cluster.)
struct UserStateStore: Sendable {
    let redis: RedisClient
    let ttl: Duration
    let logger: Logger
    /// Keys per `MGET` and per script call.
    let usersPerCommand = 128

    /// `KEYS` the users' keys; `ARGV[1]` TTL ms, then per key the value read ('' when absent) and the new value.
    /// Returns one 1 (written) or 0 (changed since it was read) per key.
    static let compareAndSet = RedisScript(
        """
        local ttl = ARGV[1]
        local written = {}
        for i = 1, #KEYS do
          local current = redis.call('GET', KEYS[i])
          local expected = ARGV[2 * i]
          if (current == false and expected == '') or current == expected then
            redis.call('SET', KEYS[i], ARGV[2 * i + 1], 'PX', ttl)
            written[i] = 1
          else
            written[i] = 0
          end
        end
        return written
        """)

    static func key(_ userID: String) -> String { "txad:user:\(userID)" }

    /// The stored bytes of each user's state (nil when the user has none yet).
    func read(_ userIDs: [String]) async throws -> [[UInt8]?] {
        let groups = inGroups(userIDs)
        let replies = try await redis.pipeline(groups.map { RedisCommand("MGET", arguments: $0.map(Self.key)) })
        var states: [[UInt8]?] = []
        states.reserveCapacity(userIDs.count)
        for (group, reply) in zip(groups, replies) {
            guard let values = reply.array, values.count == group.count else {
                throw StoreError(.unexpectedReply, "MGET of \(group.count) user states returned \(reply)")
            }
            for value in values {
                switch value {
                case .bulk(let bytes): states.append(bytes)
                case .null: states.append(nil)
                default: throw StoreError(.unexpectedReply, "MGET user state returned \(value)")
                }
            }
        }
        return states
    }

    /// Writes new states where the stored value is still `expected`; returns, per user, whether it was written.
    func write(_ updates: [(userID: String, expected: [UInt8]?, new: [UInt8])]) async throws -> [Bool] {
        guard !updates.isEmpty else { return [] }
        let milliseconds = ttl.components.seconds * 1000
        let groups = inGroups(updates)
        func commands() -> [RedisCommand] {
            groups.map { group in
                var command = RedisCommand("EVALSHA", Self.compareAndSet.sha1, group.count)
                for update in group { command.append(Self.key(update.userID)) }
                command.append(milliseconds)
                for update in group {
                    command.append(update.expected ?? [])
                    command.append(update.new)
                }
                return command
            }
        }
        var replies = try await redis.pipeline(commands())
        if replies.contains(where: { $0.errorMessage?.hasPrefix("NOSCRIPT") == true }) {
            _ = try await redis.command("SCRIPT", "LOAD", Self.compareAndSet.source)
            replies = try await redis.pipeline(commands())
        }
        var written: [Bool] = []
        written.reserveCapacity(updates.count)
        for (group, reply) in zip(groups, replies) {
            if let message = reply.errorMessage { throw StoreError(.serverError, "user state CAS: \(message)") }
            guard let flags = reply.array, flags.count == group.count else {
                throw StoreError(.unexpectedReply, "user state CAS of \(group.count) users returned \(reply)")
            }
            written += flags.map { $0.int64 == 1 }
        }
        return written
    }

    /// `items` in consecutive groups of at most ``usersPerCommand``.
    private func inGroups<T>(_ items: [T]) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: usersPerCommand).map { items[$0..<min($0 + usersPerCommand, items.count)] }
    }
}
