import Foundation
import Logging
import Synchronization

/// Store URLs for integration tests: `REDIS_URL` / `DATABASE_URL` when set, otherwise servers of our own.
///
/// The embedded servers are started once per process, on first use, and shared by every suite; they are stopped
/// when the process exits (normally through the exit registry, abnormally through their watchdogs). Tests that
/// stop or restart a store must start their own `EmbeddedRedis` / `EmbeddedPostgres` instead. A missing
/// `redis-server` or PostgreSQL is an error naming the Debian package, never a silent skip.
public enum TestStores {
    /// `REDIS_URL` if set and non-empty, else the URL of the shared embedded `redis-server`.
    public static func redisURL() async throws -> String {
        if let url = environment("REDIS_URL") { return url }
        return try await sharedRedis.value().url
    }

    /// `DATABASE_URL` if set and non-empty, else the URL of the shared embedded PostgreSQL (database `txad`).
    public static func postgresURL() async throws -> String {
        if let url = environment("DATABASE_URL") { return url }
        return try await sharedPostgres.value().url
    }

    private static let sharedRedis = StartOnce { try await EmbeddedRedis.start(logger: logger) }
    private static let sharedPostgres = StartOnce { try await EmbeddedPostgres.start(logger: logger) }
    private static let logger = Logger(label: "txad.test-stores")

    private static func environment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// Starts a value once, on first request, and hands every caller the same result (or the same error, so a
/// missing binary fails each test with the same message instead of being retried by each of them).
private final class StartOnce<Value: Sendable>: Sendable {
    private let start: @Sendable () async throws -> Value
    private let task = Mutex<Task<Value, any Error>?>(nil)

    init(_ start: @escaping @Sendable () async throws -> Value) {
        self.start = start
    }

    func value() async throws -> Value {
        // An unstructured task on purpose: the server belongs to the process, not to whichever test asked first,
        // and must not be cancelled with that test.
        let task = task.withLock { task in
            if let task { return task }
            let started = Task { try await start() }
            task = started
            return started
        }
        return try await task.value
    }
}
