import EmbeddedStores
import Foundation
import HTTPSink
import Stores
import Testing

/// A real `txad-alerts` process asked to stop (SIGTERM, as Kubernetes does) while deliveries are in flight: it
/// waits for the answers and records every one before exiting, so nothing it sent is sent again after its lease.
@Suite(.timeLimit(.minutes(5)))
struct DispatcherShutdownTests {
    @Test func terminatedMidDeliveryRecordsEveryAnswerBeforeExiting() async throws {
        let root = NSTemporaryDirectory() + "txad-stop-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let postgres = try await EmbeddedPostgres.start()
        // Answers after 2 s: every send of the first claim is still in flight when SIGTERM arrives.
        let sink = try await HTTPSink.start { _, _ in .delayed(.seconds(2), .status(200)) }
        let log = root + "/alerts.log"
        var process: Process?
        var failure: (any Error)?
        do {
            try """
            channels:
              hook: {type: webhook, url: "\(sink.url("/hook"))", secret_env: STOP_SECRET, timeout: 10s}
            routes:
              high: [hook]
            """.write(toFile: root + "/routing.yaml", atomically: true, encoding: .utf8)
            let port = try Loopback.freePort()
            let adminPort = try Loopback.freePort()
            let child = try DispatcherCrashTests.startAlerts(
                ["--port", "\(port)", "--admin-port", "\(adminPort)", "--notification-lease-seconds", "60"],
                database: postgres.url, root: root, environment: ["STOP_SECRET": "s3cret"], logPath: log)
            process = child
            let items = (0..<12).map { OutboxFixture.scored("s\($0)", .high) }
            #expect(try await DispatcherCrashTests.recordOnceMigrated(items, port: port))
            try await sink.waitForRequests(12, timeout: .seconds(60))
            kill(child.processIdentifier, SIGTERM)
            await DispatcherCrashTests.waitForExit(child, within: .seconds(60))

            let database = try PostgresClient(url: postgres.url)
            let states = try await database.query(
                "SELECT state, count(*) AS n FROM notification_deliveries GROUP BY state ORDER BY state")
            let counts = Dictionary(
                uniqueKeysWithValues: try states.map { (try $0.string("state") ?? "", try $0.int("n") ?? 0) })
            await database.shutdown()
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(counts == ["delivered": 12], "rows by state after the graceful stop: \(counts)\n\(text.suffix(3000))")
            #expect(!text.contains("recording notification outcomes failed"), "\(text.suffix(3000))")
        } catch {
            failure = error
        }
        if let running = process, running.isRunning {
            kill(running.processIdentifier, SIGKILL)
            await DispatcherCrashTests.waitForExit(running)
        }
        try await sink.stop()
        try await postgres.stop()
        if let failure { throw failure }
    }
}
