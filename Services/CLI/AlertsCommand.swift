import ArgumentParser
import Foundation
import ServiceKit
import Stores

/// `txad alerts deliveries|redeliver`: the notification outbox, read and re-queued straight in PostgreSQL.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "Inspect and re-queue alert notification deliveries (the outbox).",
        subcommands: [Deliveries.self, Redeliver.self])

    struct Database: ParsableArguments {
        @Option(help: "PostgreSQL URL (env DATABASE_URL; required).")
        var databaseURL: String?

        func client() throws -> PostgresClient {
            let url: String?
            do {
                url = try Settings().url(
                    databaseURL, flag: "database-url", env: "DATABASE_URL", schemes: ["postgresql", "postgres"])
            } catch let error as ConfigurationError {
                throw ValidationError(error.description)
            }
            guard let url else { throw ValidationError("--database-url / DATABASE_URL is required") }
            return try PostgresClient(url: url)
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List deliveries, newest first: state, channel, attempts, last status and error.")

        @Option(help: "Only this state: pending, delivering, delivered or dead.")
        var state: String?

        @Option(help: "Only this channel.")
        var channel: String?

        @Option(help: "At most this many rows (1…10000).")
        var limit = 50

        @OptionGroup var database: Database

        func validate() throws {
            if let state, !["pending", "delivering", "delivered", "dead"].contains(state) {
                throw ValidationError("--state must be pending, delivering, delivered or dead, not '\(state)'")
            }
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1…10000") }
        }

        func run() async throws {
            let client = try database.client()
            do {
                let rows = try await client.query(
                    """
                    SELECT delivery_id, alert_id, channel, channel_type, event_type, state, attempts, last_status,
                           last_error, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') AS created,
                           to_char(next_attempt_at, 'YYYY-MM-DD HH24:MI:SS') AS next_attempt,
                           coalesce(cardinality(alert_ids), 1) AS alerts
                    FROM notification_deliveries
                    WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR channel = $2)
                    ORDER BY created_at DESC, delivery_id LIMIT $3
                    """, [state.map { PostgresValue($0) }, channel.map { PostgresValue($0) }, PostgresValue(limit)])
                let counts = try await client.query(
                    "SELECT state, count(*) AS n FROM notification_deliveries GROUP BY state ORDER BY state")
                await client.shutdown()
                print(
                    counts.map { "\(($0["state"] ?? "?")): \($0["n"] ?? "0")" }.joined(separator: "  ")
                        .ifEmpty("no deliveries"))
                guard !rows.isEmpty else { return }
                print(
                    "delivery_id                           alert   channel          type        event            state       tries  status  created              next attempt         error"
                )
                for row in rows {
                    let fields = [
                        pad(row["delivery_id"], 37), pad(row["alert_id"], 7), pad(row["channel"], 16),
                        pad(row["channel_type"], 11), pad(row["event_type"], 16), pad(row["state"], 11),
                        pad(row["attempts"], 6), pad(row["last_status"] ?? "-", 7), pad(row["created"], 20),
                        pad(row["next_attempt"], 20), String((row["last_error"] ?? "").prefix(120)),
                    ]
                    print(fields.joined(separator: " "))
                }
            } catch {
                await client.shutdown()
                throw error
            }
        }

        private func pad(_ text: String?, _ width: Int) -> String {
            (text ?? "").padding(toLength: width, withPad: " ", startingAt: 0)
        }
    }

    struct Redeliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-queue a delivery (dead or delivered) or every dead one: attempts restart at zero.")

        @Argument(help: "The delivery id (from `txad alerts deliveries`).")
        var deliveryID: String?

        @Flag(help: "Re-queue every dead delivery.")
        var dead = false

        @OptionGroup var database: Database

        func validate() throws {
            guard (deliveryID != nil) != dead else { throw ValidationError("give a delivery id or --dead (not both)") }
            if let deliveryID, UUID(uuidString: deliveryID) == nil {
                throw ValidationError("'\(deliveryID)' is not a delivery id (a UUID)")
            }
        }

        func run() async throws {
            let client = try database.client()
            let requeue = """
                UPDATE notification_deliveries
                SET state = 'pending', attempts = 0, next_attempt_at = now(), lease_until = NULL, lease_owner = NULL
                """
            let count: Int
            do {
                if let deliveryID {
                    count = try await client.execute(
                        requeue + " WHERE delivery_id = $1::uuid AND state IN ('dead', 'delivered')",
                        [PostgresValue(deliveryID)])
                } else {
                    count = try await client.execute(requeue + " WHERE state = 'dead'")
                }
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
            if let deliveryID, count == 0 {
                throw CLIError("no dead or delivered delivery \(deliveryID) (pending ones are already queued)")
            }
            print("re-queued \(count) deliver\(count == 1 ? "y" : "ies"); the alerts service delivers them shortly")
        }
    }
}

extension String {
    fileprivate func ifEmpty(_ fallback: String) -> String { isEmpty ? fallback : self }
}
