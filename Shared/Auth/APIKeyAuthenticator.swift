import Credentials
import Foundation
import Logging
import Stores
import Synchronization

/// Checks API keys against ``APIKeyStore`` with an in-process cache, so a hot key costs no database round trip.
///
/// Each replica keeps the records of the keys it has seen. ``refresh()`` (run every ``Configuration/refreshInterval``
/// by ``APIKeyCacheRefresher``) re-reads every cached record in one query and writes `last_used_at` for the keys used
/// since the previous refresh. A record older than ``Configuration/maximumAge`` is re-read before it is trusted
/// again, so a revoked or expired key is refused by every replica within that age (4 s by default), whether or not
/// the refresher ran. Unknown keys are remembered as unknown for one refresh interval, so a client repeating a bad
/// key does not query the database each time.
///
/// When PostgreSQL cannot be reached, records validated within ``Configuration/outageGrace`` keep working (nobody can
/// revoke a key while the database is down either); keys never seen before are refused with
/// ``Outcome/unavailable``.
public final class APIKeyAuthenticator: Sendable {
    /// Cache timing.
    public struct Configuration: Sendable {
        /// How often the refresher re-reads cached records (default 2 s).
        public var refreshInterval: Duration
        /// A record older than this is re-read before use (default 4 s; keep it below 5 s, the revocation bound).
        public var maximumAge: Duration
        /// How long a validated record stays usable while PostgreSQL is unreachable (default 300 s).
        public var outageGrace: Duration
        /// Most cached keys; beyond it the least recently used are dropped (default 10,000).
        public var capacity: Int

        /// Creates a configuration.
        public init(
            refreshInterval: Duration = .seconds(2), maximumAge: Duration = .seconds(4),
            outageGrace: Duration = .seconds(300), capacity: Int = 10_000
        ) {
            self.refreshInterval = refreshInterval
            self.maximumAge = maximumAge
            self.outageGrace = outageGrace
            self.capacity = capacity
        }
    }

    /// The result of checking one key.
    public enum Outcome: Sendable, Equatable {
        /// A usable key.
        case valid(Principal)
        /// Unknown, revoked or expired (the detail says which, for the 401 body).
        case refused(String)
        /// The key could not be checked (PostgreSQL unreachable and the key not cached).
        case unavailable
    }

    private struct Entry {
        var record: APIKeyRecord?
        var validatedAt: ContinuousClock.Instant
        var usedSinceRefresh: Bool
        var lastUsed: ContinuousClock.Instant
    }

    private let store: APIKeyStore
    private let configuration: Configuration
    private let logger: Logger
    private let entries = Mutex<[String: Entry]>([:])
    private let clock = ContinuousClock()

    /// An authenticator over `store`.
    public init(store: APIKeyStore, configuration: Configuration = .init(), logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// The refresh interval (for the refresher service).
    public var refreshInterval: Duration { configuration.refreshInterval }

    /// Checks a presented key.
    public func authenticate(_ key: APIKey) async -> Outcome {
        let digest = key.digest
        let now = clock.now
        let cached: Entry? = entries.withLock { entries in
            guard var entry = entries[digest] else { return nil }
            entry.usedSinceRefresh = true
            entry.lastUsed = now
            entries[digest] = entry
            return entry
        }
        if let cached {
            let age = now - cached.validatedAt
            let fresh = cached.record == nil ? age < configuration.refreshInterval : age < configuration.maximumAge
            if fresh { return Self.outcome(cached.record) }
        }
        do {
            let found = try await store.lookup(digests: [digest])[digest]
            remember(digest, found, validatedAt: clock.now, used: true)
            return Self.outcome(found)
        } catch {
            logger.warning("API key lookup failed", metadata: ["error": "\(error)"])
            if let cached, let record = cached.record, now - cached.validatedAt < configuration.outageGrace {
                return Self.outcome(record)
            }
            return .unavailable
        }
    }

    /// Re-reads every cached record in one query, drops unknown-key entries that aged out and records usage.
    ///
    /// - Throws: the store's error (the cache is left as it was; records then age out as usual).
    public func refresh() async throws {
        let started = clock.now
        let (digests, used): ([String], [String]) = entries.withLock { entries in
            entries = entries.filter { $0.value.record != nil || started - $0.value.validatedAt < configuration.refreshInterval }
            let known = entries.filter { $0.value.record != nil }
            return (Array(known.keys), known.filter { $0.value.usedSinceRefresh }.map(\.key))
        }
        guard !digests.isEmpty else { return }
        let found = try await store.lookup(digests: digests)
        entries.withLock { entries in
            for digest in digests {
                guard var entry = entries[digest] else { continue }
                entry.record = found[digest]
                entry.validatedAt = started
                if used.contains(digest) { entry.usedSinceRefresh = false }
                entries[digest] = entry
            }
        }
        try await store.markUsed(digests: used)
    }

    /// The number of cached keys (known and unknown), for tests and metrics.
    public var cachedCount: Int { entries.withLock { $0.count } }

    private func remember(_ digest: String, _ record: APIKeyRecord?, validatedAt: ContinuousClock.Instant, used: Bool) {
        entries.withLock { entries in
            if entries[digest] == nil, entries.count >= configuration.capacity {
                // Drop the least recently used tenth in one go rather than one entry per insertion.
                let victims = entries.sorted { $0.value.lastUsed < $1.value.lastUsed }.prefix(max(1, configuration.capacity / 10))
                for (victim, _) in victims { entries[victim] = nil }
            }
            entries[digest] = Entry(
                record: record, validatedAt: validatedAt, usedSinceRefresh: used && record != nil, lastUsed: validatedAt)
        }
    }

    private static func outcome(_ record: APIKeyRecord?) -> Outcome {
        guard let record else { return .refused("the API key is not known") }
        let now = Date().timeIntervalSince1970
        if record.revokedAt != nil { return .refused("the API key '\(record.name)' was revoked") }
        if let expires = record.expiresAt, now >= expires { return .refused("the API key '\(record.name)' expired") }
        guard let role = Role(rawValue: record.role) else { return .refused("the API key has an unknown role") }
        return .valid(Principal(name: record.name, role: role, method: .apiKey))
    }
}
