import Domain
import EmbeddedStores
import Foundation
import HTTPSink
import Logging
import Notifications
import Stores
import Testing

@testable import AlertsService

/// One outbox test's world: a fresh database on the shared test PostgreSQL (migrated), a local HTTP sink standing
/// in for every provider, a routing configuration pointing at it, and helpers to run dispatchers.
struct OutboxFixture {
    static let logger = Logger(label: "test.outbox")

    let database: PostgresClient
    let sink: HTTPSink
    let routing: RoutingConfiguration

    var recorder: AlertRecorder { AlertRecorder(database: database, routing: routing) }

    /// Fast retries and polling so tests finish quickly (no timed assertions rely on them).
    static let fast = NotificationDispatcher.Configuration(
        workers: 2, batchSize: 16, idleInterval: .milliseconds(20), lease: .seconds(20),
        policy: DeliveryPolicy(baseDelay: .milliseconds(50), maximumDelay: .milliseconds(400)))

    func dispatcher(
        owner: String = "test-\(UUID().uuidString.prefix(6))",
        configuration: NotificationDispatcher.Configuration = fast
    )
        -> NotificationDispatcher
    {
        NotificationDispatcher(
            database: database, routing: routing, configuration: configuration, owner: owner, logger: Self.logger)
    }

    /// Runs `dispatchers` beside `body`, stopping them when it returns.
    @discardableResult
    func whileDispatching<T: Sendable>(
        _ dispatchers: [NotificationDispatcher], _ body: () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for dispatcher in dispatchers { group.addTask { try await dispatcher.run() } }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Polls until `sql` (returning a column `n`) yields `expected`, at most `timeout`; returns the last value.
    @discardableResult
    func waitFor(_ sql: String, equals expected: Int, timeout: Duration = .seconds(90)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var value = -1
        while ContinuousClock.now < deadline {
            value = try await count(sql)
            if value == expected { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        return value
    }

    func count(_ sql: String, _ parameters: [PostgresValue?] = []) async throws -> Int {
        Int(try await database.query(sql, parameters).first?.int64("n") ?? -1)
    }

    /// A fresh, migrated database; `routing` gets the sink's base URL (`http://127.0.0.1:PORT`).
    static func with(
        responder: @escaping HTTPSink.Responder = { _, _ in .status(202) },
        routing makeRouting: (String) throws -> RoutingConfiguration,
        _ body: (OutboxFixture) async throws -> Void
    ) async throws {
        let baseURL = try await TestStores.postgresURL()
        let admin = try PostgresClient(url: baseURL)
        let name = "outbox_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        do {
            try await admin.execute("CREATE DATABASE \(name)")
        } catch {
            await admin.shutdown()
            throw error
        }
        await admin.shutdown()
        let url = String(baseURL[..<(baseURL.lastIndex(of: "/") ?? baseURL.endIndex)]) + "/" + name
        let database = try PostgresClient(url: url)
        var failure: (any Error)?
        do {
            _ = try await PostgresMigrator(client: database, migrations: AlertSchema.migrations, logger: logger)
                .migrate()
            let sink = try await HTTPSink.start(responder: responder)
            do {
                let routing = try makeRouting(sink.url(""))
                try await body(OutboxFixture(database: database, sink: sink, routing: routing))
            } catch {
                failure = error
            }
            try await sink.stop()
        } catch {
            failure = failure ?? error
        }
        await database.shutdown()
        if let failure { throw failure }
    }

    /// Routing from YAML with `SINK` replaced by the sink's base URL and test secrets in the environment.
    static func yaml(_ text: String) -> @Sendable (String) throws -> RoutingConfiguration {
        { base in
            try RoutingFile.parse(
                yaml: text.replacingOccurrences(of: "SINK", with: base),
                environment: ["HOOK_SECRET": "whsec_test", "PD_KEY": "pd-routing-key"])
        }
    }

    /// A scored transaction of `user` at `risk`.
    static func scored(_ id: String, _ risk: RiskLevel, user: String? = nil, amount: Double = 120) -> ScoredTransaction
    {
        let transaction = Transaction(
            transactionID: id, userID: user ?? "user-\(id)", timestampMillis: 1_714_000_000_000, amount: amount,
            currency: "EUR", merchantID: "m-1", merchantCategory: "electronics", channel: .online, latitude: nil,
            longitude: nil, country: "FR")
        let ensemble: Double = risk == .critical ? 0.99 : risk == .high ? 0.9 : risk == .medium ? 0.8 : 0.1
        let score = Score(
            transactionID: id, isolationForest: ensemble, autoencoder: ensemble, ensemble: ensemble,
            isAnomaly: risk >= .medium, riskLevel: risk,
            reasons: [Reason(code: "AMOUNT_HIGH", feature: "amount_ratio_user", value: 9, text: "Amount is 9× usual")],
            modelVersion: "v-test")
        return ScoredTransaction(
            transaction: transaction, score: score, degraded: false, requestID: "req-\(id)",
            scoredAtMillis: 1_714_000_100_000)
    }
}
