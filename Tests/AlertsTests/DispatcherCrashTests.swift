import Domain
import EmbeddedStores
import Foundation
import HTTPSink
import Stores
import Testing
import Wire

/// A real `txad-alerts` process killed with SIGKILL while deliveries are in flight: a second process takes the
/// expired leases over and every notification arrives; resends carry the same event id.
@Suite(.timeLimit(.minutes(5)))
struct DispatcherCrashTests {
    /// The build folder next to this test bundle (`TXAD_BIN_DIR` overrides).
    static let binDirectory: String = {
        if let dir = ProcessInfo.processInfo.environment["TXAD_BIN_DIR"], !dir.isEmpty { return dir }
        let candidate = Bundle.main.bundleURL.deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("txad-alerts").path) {
            return candidate.path
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug").path
    }()

    /// Starts `txad-alerts` with `root/routing.yaml`, a spool under `root`, and `environment` added; its output goes
    /// to `logPath` (discarded when nil).
    static func startAlerts(
        _ arguments: [String], database: String, root: String, environment extra: [String: String],
        logPath: String? = nil
    ) throws -> Process {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: binDirectory + "/txad-alerts")
        child.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = database
        environment["TXAD_ROUTING_FILE"] = root + "/routing.yaml"
        environment["TXAD_SPOOL_DIR"] = root + "/spool"
        environment["TXAD_LOG_LEVEL"] = "warning"
        environment.merge(extra) { _, given in given }
        child.environment = environment
        if let logPath {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            child.standardOutput = FileHandle(forWritingAtPath: logPath)
        } else {
            child.standardOutput = FileHandle.nullDevice
        }
        child.standardError = child.standardOutput
        try child.run()
        return child
    }

    /// Waits until `child` has exited (gone, or a zombie), for at most `timeout`, polling `/proc` without blocking a
    /// concurrency thread: Foundation's `waitUntilExit()` blocks one of the (two) pool threads and was seen never to
    /// return for a child that had already exited (it stayed a zombie), which stalled the whole test run.
    static func waitForExit(_ child: Process, within timeout: Duration = .seconds(30)) async {
        let pid = child.processIdentifier
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/stat") else { return }
            let stat = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            try? handle.close()
            guard let close = stat.lastIndex(of: ")") else { return }
            let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
            if state == "Z" || state == "X" { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Records `items` through the Record RPC on `port` once the service listens and has migrated (a spooled
    /// answer would be replayed later anyway); false if that never happened within a minute.
    static func recordOnceMigrated(_ items: [ScoredTransaction], port: Int) async throws -> Bool {
        let rpc = RPCClient(
            configuration: .init(targets: [.init(host: "127.0.0.1", port: port)], defaultDeadline: .seconds(30)))
        let alerts = AlertsClient(wrapping: rpc)
        var recorded = false
        for _ in 0..<300 where !recorded {
            if let answer = try? await alerts.record(RecordRequest(items: items)), !answer.spooled {
                recorded = true
            } else {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        await rpc.close()
        return recorded
    }

    @Test func killedMidDeliveryEveryNotificationStillArrives() async throws {
        let root = NSTemporaryDirectory() + "txad-crash-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let postgres = try await EmbeddedPostgres.start()
        // Slow answers keep requests in flight long enough to be cut off by the kill.
        let sink = try await HTTPSink.start { _, _ in .delayed(.milliseconds(1500), .status(200)) }
        var process: Process?
        var failure: (any Error)?
        do {
            try """
            channels:
              hook: {type: webhook, url: "\(sink.url("/hook"))", secret_env: CRASH_SECRET, timeout: 5s}
            routes:
              high: [hook]
            """.write(toFile: root + "/routing.yaml", atomically: true, encoding: .utf8)
            let port = try Loopback.freePort()
            let adminPort = try Loopback.freePort()
            func start() throws -> Process {
                try Self.startAlerts(
                    ["--port", "\(port)", "--admin-port", "\(adminPort)", "--notification-lease-seconds", "8"],
                    database: postgres.url, root: root, environment: ["CRASH_SECRET": "s3cret"])
            }
            process = try start()
            let items = (0..<20).map { OutboxFixture.scored("k\($0)", .high) }
            #expect(try await Self.recordOnceMigrated(items, port: port))
            try await sink.waitForRequests(1)
            if let running = process {
                kill(running.processIdentifier, SIGKILL)
                await Self.waitForExit(running)
            }
            let database = try PostgresClient(url: postgres.url)
            let inFlight = try await database.query(
                "SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivering'")
            #expect(try inFlight.first?.int("n") ?? 0 > 0, "nothing was in flight when the process was killed")
            process = try start()
            let deadline = ContinuousClock.now + .seconds(120)
            var delivered = 0
            while ContinuousClock.now < deadline, delivered < 20 {
                try await Task.sleep(for: .milliseconds(200))
                delivered = Int(
                    try await database.query(
                        "SELECT count(*) AS n FROM notification_deliveries WHERE state = 'delivered'"
                    ).first?.int64("n") ?? 0)
            }
            #expect(delivered == 20)
            let ids = try await database.query("SELECT delivery_id FROM notification_deliveries").compactMap {
                $0["delivery_id"]
            }
            let keys = sink.requests.compactMap { $0.header("Idempotency-Key") }
            #expect(Set(keys) == Set(ids))
            #expect(keys.count >= 20)
            await database.shutdown()
        } catch {
            failure = error
        }
        if let running = process, running.isRunning {
            running.terminate()
            await Self.waitForExit(running)
        }
        try await sink.stop()
        try await postgres.stop()
        if let failure { throw failure }
    }
}
