import Foundation
import HTTPSink
import Notifications
import Testing

@testable import AlertsService

/// The dispatcher's per-channel `max_concurrency`, checked at a real local sink that records the most requests it
/// had in flight at once; and rows of channels the routing file no longer names.
@Suite(.timeLimit(.minutes(5)))
struct ChannelConcurrencyTests {
    /// `narrow` allows 3 requests at once, `wide` 12; the sink answers every request after 1 s, so requests that
    /// are allowed to overlap do.
    static let routing = OutboxFixture.yaml(
        """
        channels:
          narrow: {type: webhook, url: "SINK/narrow", secret_env: HOOK_SECRET, max_concurrency: 3}
          wide: {type: webhook, url: "SINK/wide", secret_env: HOOK_SECRET, max_concurrency: 12}
        routes:
          high: {channels: [narrow], group_window: 0, max_per_hour: 1000}
          critical: {channels: [wide], group_window: 0, max_per_hour: 1000}
        """)

    /// Every request is answered after 1 s.
    static let slowSink: HTTPSink.Responder = { _, _ in .delayed(.seconds(1), .status(200)) }

    static let delivered = "SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'"

    @Test func aChannelNeverHasMoreRequestsInFlightThanItsLimit() async throws {
        try await OutboxFixture.with(responder: Self.slowSink, routing: Self.routing) { fx in
            #expect(fx.routing.channels["narrow"]?.maxConcurrency == 3)
            try await fx.whileDispatching([fx.dispatcher()]) {
                // 24 rows of the narrow channel, due at once.
                try await fx.recorder.record((0..<24).map { OutboxFixture.scored("n\($0)", .high) })
                #expect(try await fx.waitFor(Self.delivered, equals: 24) == 24)
                let narrow = fx.sink.maxInFlight
                #expect(narrow <= 3, "the narrow channel had \(narrow) requests in flight at once")
                #expect(narrow >= 2, "the narrow channel's requests never overlapped (\(narrow))")
                #expect(fx.sink.requests.allSatisfy { $0.path == "/narrow" })
                // The same dispatcher lets the wide channel overlap beyond 3: the limit is the channel's.
                fx.sink.clear()
                try await fx.recorder.record((0..<24).map { OutboxFixture.scored("w\($0)", .critical) })
                #expect(try await fx.waitFor(Self.delivered, equals: 48) == 48)
                let wide = fx.sink.maxInFlight
                #expect(wide > 3 && wide <= 12, "the wide channel had \(wide) requests in flight at once")
                #expect(fx.sink.requests.count == 24 && fx.sink.requests.allSatisfy { $0.path == "/wide" })
            }
        }
    }

    @Test func twoDispatchersEachKeepTheLimit() async throws {
        try await OutboxFixture.with(responder: Self.slowSink, routing: Self.routing) { fx in
            try await fx.recorder.record((0..<24).map { OutboxFixture.scored("n\($0)", .high) })
            let delivered = try await fx.whileDispatching([fx.dispatcher(), fx.dispatcher()]) {
                try await fx.waitFor(Self.delivered, equals: 24)
            }
            #expect(delivered == 24)
            // The limit is per replica: two replicas may reach twice the limit, never more.
            #expect(fx.sink.maxInFlight <= 6, "\(fx.sink.maxInFlight) requests in flight at once")
            #expect(Set(fx.sink.requests.compactMap { $0.header("Idempotency-Key") }).count == 24)
        }
    }

    @Test func rowsOfAChannelMissingFromTheRoutingFileAreDeadLettered() async throws {
        try await OutboxFixture.with(routing: Self.routing) { fx in
            try await fx.recorder.record([
                OutboxFixture.scored("gone-1", .high), OutboxFixture.scored("kept-1", .critical),
            ])
            // A later routing file without `narrow`.
            let later = try OutboxFixture.yaml(
                """
                channels:
                  wide: {type: webhook, url: "SINK/wide", secret_env: HOOK_SECRET}
                routes:
                  critical: [wide]
                """)(fx.sink.url(""))
            let dispatcher = NotificationDispatcher(
                database: fx.database, routing: later, configuration: OutboxFixture.fast, owner: "later",
                logger: OutboxFixture.logger)
            let (dead, delivered) = try await fx.whileDispatching([dispatcher]) {
                let dead = try await fx.waitFor(
                    """
                    SELECT count(*) AS n FROM notification_deliveries
                    WHERE channel = 'narrow' AND state = 'dead'
                      AND last_error = 'channel ''narrow'' is not in the routing file'
                    """, equals: 1)
                return (dead, try await fx.waitFor(Self.delivered, equals: 1))
            }
            #expect(dead == 1 && delivered == 1)
            #expect(fx.sink.requests.map(\.path) == ["/wide"])
        }
    }
}
