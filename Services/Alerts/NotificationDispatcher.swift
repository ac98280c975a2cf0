import AsyncHTTPClient
import Domain
import Foundation
import Logging
import Notifications
import ServiceKit
import ServiceLifecycle
import Stores

/// Delivers the outbox: claims due rows with expiring leases, renders and sends them, records the outcome.
///
/// Safe with several replicas: rows are claimed with `FOR UPDATE SKIP LOCKED` and leased until `lease_until`; a
/// replica killed mid-delivery leaves its rows `delivering` with a lease that expires, and another replica (or the
/// same one restarted) takes them again. Delivery is therefore at-least-once: receivers de-duplicate by event id
/// (webhook `Idempotency-Key`) or `dedup_key` (PagerDuty). An outcome is written only while the row is still
/// leased to this dispatcher, so a late answer never overwrites a newer attempt's.
///
/// A pipeline, not lockstep rounds: ``Configuration/workers`` claim loops each claim, per channel, at most as many
/// due rows as that channel has free slots (its `max_concurrency`, see ``ChannelSlots``; at most
/// ``Configuration/batchSize`` per claim) and start sending them at once without waiting for earlier sends, so one
/// slow answer holds one slot, not a batch. Finished sends go to one recorder that writes every answer gathered
/// meanwhile with one `UPDATE … FROM unnest(…)`. A claimed row is sent immediately (never parked behind a limit
/// while its lease runs), so the lease only has to exceed the channel timeout. All requests go through one shared
/// `HTTPClient` (keep-alive connections, up to the channels' limits per host), shut down when the service stops;
/// the dispatcher has its own small PostgreSQL pool, so delivery never waits for, or delays, alert recording.
/// Idle workers wait for the outbox's `NOTIFY` (sent on commit by every insert into it and every re-queue,
/// received through a `PostgresListener`), for a full channel to free a quarter of its slots, or at most
/// ``Configuration/idleInterval``, which picks up retries and follow-ups that fall due later.
struct NotificationDispatcher: Service {
    /// Tuning; the defaults suit one alerts replica on a small machine.
    struct Configuration: Sendable {
        /// Concurrent claim loops (claims overlap sends and each other). Default 4.
        var workers: Int = 4
        /// Most rows per channel in one claim. Default 128.
        var batchSize: Int = 128
        /// Longest wait when nothing is due and no `NOTIFY` arrived: how late a retry or follow-up may be sent
        /// after it fell due. Default 1 s.
        var idleInterval: Duration = .seconds(1)
        /// Wake on the outbox's `NOTIFY` (a dedicated `LISTEN` connection). Default true; without it workers
        /// poll every ``idleInterval``.
        var listens = true
        /// How long a claim lasts before another dispatcher may take the row. Must exceed the longest channel
        /// timeout. Default 60 s.
        var lease: Duration = .seconds(60)
        /// Retry rules (backoff base and cap).
        var policy = DeliveryPolicy()
    }

    let database: PostgresClient
    let routing: RoutingConfiguration
    let configuration: Configuration
    let owner: String
    let isReady: @Sendable () -> Bool
    let logger: Logger

    init(
        database: PostgresClient, routing: RoutingConfiguration, configuration: Configuration = .init(),
        owner: String =
            "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))",
        isReady: @escaping @Sendable () -> Bool = { true }, logger: Logger
    ) {
        self.database = database
        self.routing = routing
        self.configuration = configuration
        self.owner = owner
        self.isReady = isReady
        self.logger = logger
    }

    /// What one running dispatcher shares between its loops.
    struct Context: Sendable {
        var database: PostgresClient
        var sender: NotificationSender
        var wakeup: OutboxWakeup
        var slots: ChannelSlots
        var outcomes: OutcomeBuffer<Outcome>
    }

    func run() async throws {
        let workers = max(1, configuration.workers)
        let listener =
            configuration.listens
            ? try PostgresListener(
                configuration: database.configuration, channel: NotificationOutbox.wakeChannel, logger: logger) : nil
        var poolConfiguration = database.configuration
        poolConfiguration.poolSize = workers + 2
        let pool = PostgresClient(configuration: poolConfiguration, logger: logger)
        let limits = routing.channels.mapValues(\.maxConcurrency)
        // Channels sharing a host share its connections: allow every channel's limit at once.
        let clientConfiguration = NotificationSender.clientConfiguration(
            connectionsPerHost: min(4096, limits.values.reduce(0, +)))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let wakeup = OutboxWakeup()
        let context = Context(
            database: pool, sender: NotificationSender(client: client), wakeup: wakeup,
            slots: ChannelSlots(limits: limits, wakeup: wakeup), outcomes: OutcomeBuffer())
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.recordLoop(context) }
                group.addTask {
                    await withTaskGroup(of: Void.self) { loops in
                        for _ in 0..<workers { loops.addTask { await self.workLoop(context) } }
                        loops.addTask { await self.deadLetterUnroutable(context) }
                    }
                    // Every send has finished (each loop waited for its own): the recorder writes what is left.
                    context.outcomes.finish()
                }
                if let listener {
                    group.addTask {
                        // Every event (a NOTIFY, or LISTEN re-established after a gap) is a reason to claim again.
                        await cancelWhenGracefulShutdown {
                            for await _ in listener.events() { wakeup.signal() }
                        }
                    }
                }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            wakeup.signal()
        }
        await pool.shutdown()
        try await client.shutdown()
    }

    private var stopping: Bool { Task.isCancelled || Task.isShuttingDownGracefully }

    /// Claims what the channels' free slots allow and starts sending it, again and again; returns when stopping,
    /// after its sends finished.
    private func workLoop(_ context: Context) async {
        await withDiscardingTaskGroup { sends in
            while !stopping {
                let seen = context.wakeup.generation
                var more = false
                if isReady() {
                    let reserved = context.slots.reserve(upTo: configuration.batchSize)
                    var claims: [Claim] = []
                    if !reserved.isEmpty {
                        do {
                            claims = try await claim(reserved, in: context.database)
                        } catch {
                            logger.warning("notification claim failed; retrying", metadata: ["error": "\(error)"])
                        }
                    }
                    var used: [String: Int] = [:]
                    for claim in claims { used[claim.channel, default: 0] += 1 }
                    for (channel, count) in reserved {
                        context.slots.release(channel, count: count - used[channel, default: 0], wakes: false)
                    }
                    // A channel that got all it asked for may have more due.
                    more = reserved.contains { channel, count in used[channel, default: 0] == count }
                    if !claims.isEmpty {
                        do {
                            let notices = try await loadNotices(Set(claims.flatMap(\.alertIDs)), in: context.database)
                            let renderer = NotificationRenderer(linkBaseURL: routing.linkBaseURL)
                            for claim in claims {
                                sends.addTask {
                                    let outcome = await self.deliver(
                                        claim, notices: notices, renderer: renderer, sender: context.sender)
                                    context.outcomes.append(outcome)
                                    context.slots.release(claim.channel)
                                }
                            }
                        } catch {
                            // The rows stay leased to us and are taken again when the lease expires.
                            logger.warning(
                                "loading claimed alerts failed; their leases will expire",
                                metadata: ["error": "\(error)"])
                            for claim in claims { context.slots.release(claim.channel, wakes: false) }
                        }
                    }
                }
                if !more {
                    _ = context.slots.waitForSlotsIfFull()
                    await context.wakeup.wait(after: seen, upTo: configuration.idleInterval)
                }
            }
        }
    }

    /// Writes finished sends, everything gathered since the last write in one statement, until the workers are
    /// done and nothing is left. A failed write is tried again (after 1 s; at most 3 times once stopping — rows
    /// not recorded are sent again when their lease expires).
    private func recordLoop(_ context: Context) async {
        var failures = 0
        while let outcomes = await context.outcomes.next() {
            do {
                try await record(outcomes, in: context.database)
                failures = 0
            } catch {
                failures += 1
                logger.warning(
                    "recording notification outcomes failed",
                    metadata: ["error": "\(error)", "rows": "\(outcomes.count)"])
                if stopping && failures >= 3 { continue }
                context.outcomes.putBack(outcomes)
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
