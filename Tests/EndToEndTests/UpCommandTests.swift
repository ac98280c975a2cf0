import EmbeddedStores
import Foundation
import Testing

/// `txad up` as a newcomer runs it (issue: operations): from a folder only its owner can enter, supervised.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct UpCommandTests {
    @Test func runsFromAPrivateFolderRestartsAKilledServiceAndStopsCleanlyOnInterrupt() async throws {
        let model = try await TestModel.prepared()
        // mkdtemp makes the folder 0700: as root, the 'postgres' system user cannot enter it.
        let root = NSTemporaryDirectory() + "txad-up-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: root, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let gatewayPort = try Loopback.freePort()
        let basePort = try Self.freeBasePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LocalCluster.binDirectory + "/txad")
        process.arguments = [
            "up", "--state-dir", root + "/state", "--model-dir", model.modelDirectory,
            "--gateway-port", "\(gatewayPort)", "--base-port", "\(basePort)",
        ]
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var environment = ProcessInfo.processInfo.environment
        environment["REDIS_URL"] = nil
        environment["DATABASE_URL"] = nil
        environment["TXAD_AUTH"] = nil  // the newcomer's default: authentication on, an admin key made on first start
        process.environment = environment
        let logPath = root + "/up.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try #require(FileHandle(forWritingAtPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        var relocated: String?
        defer {
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
            if let relocated { try? FileManager.default.removeItem(atPath: relocated) }
        }
        func output() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        func wait(for text: String, timeout: Duration = .seconds(180)) async throws {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if output().contains(text) { return }
                #expect(process.isRunning, "txad up exited early:\n\(output())")
                guard process.isRunning else { throw ClusterError("txad up exited") }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw ClusterError("'\(text)' not printed within \(timeout):\n\(output())")
        }

        try await wait(for: "txad is up.")
        if geteuid() == 0 {
            let line = try #require(output().split(separator: "\n").first { $0.contains("PostgreSQL: started") })
            #expect(!line.contains(root), "PostgreSQL data should have moved out of the private folder: \(line)")
            relocated = line.split(separator: "(data in ").last.map { String($0.dropLast()) }
            #expect(output().contains("cannot enter"))
        }
        let (_, healthy) = try await HTTP.get("http://127.0.0.1:\(gatewayPort)/health")
        #expect(healthy == 200)

        // The admin key printed once is saved (0600) and is the only way in.
        let keyFile = root + "/state/admin-key"
        let key = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(output().contains(key), "the new admin key is shown once")
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let anonymous = #"{"transaction_id":"up-0","user_id":"u1","timestamp":"2024-05-01T12:00:00Z","amount":12.5}"#
        #expect(try await HTTP.post("http://127.0.0.1:\(gatewayPort)/predict", body: Data(anonymous.utf8)).1 == 401)

        // A crashed service is restarted and the cluster serves again.
        let inference = try #require(Self.pid(ofProcessWithArguments: "--port \(basePort + 1) "))
        Foundation.kill(inference, SIGKILL)
        try await wait(for: "txad-inference: restarted (restart 1)", timeout: .seconds(60))
        try await wait(for: "txad-inference: ready", timeout: .seconds(60))
        // The gateway reconnects to the new process with backoff: scoring works again within seconds.
        var scored = 0
        for attempt in 1...60 where scored != 200 {
            let transaction =
                #"{"transaction_id":"up-\#(attempt)","user_id":"u1","timestamp":"2024-05-01T12:00:00Z","amount":12.5}"#
            scored = try await HTTP.post(
                "http://127.0.0.1:\(gatewayPort)/predict", body: Data(transaction.utf8), headers: ["X-API-Key": key]
            ).1
            if scored != 200 { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(scored == 200)

        // Ctrl-C stops everything and exits 0; no service is left behind.
        Foundation.kill(process.processIdentifier, SIGINT)
        let deadline = ContinuousClock.now + .seconds(90)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0, "\(output())")
        #expect(output().contains("txad up: restarts — txad-inference 1"))
        #expect(Self.pid(ofProcessWithArguments: "--port \(basePort + 1) ") == nil)
        #expect(Self.pid(ofProcessWithArguments: "--port \(gatewayPort) ") == nil)
    }

    /// A base port whose three service ports and three admin ports (base + 2100…) are all free.
    private static func freeBasePort() throws -> Int {
        for _ in 0..<200 {
            let base = Int.random(in: 20_000...38_000)
            let ports = [base, base + 1, base + 2, base + 2100, base + 2101, base + 2102]
            if ports.allSatisfy(Loopback.isFree) { return base }
        }
        throw ClusterError("no free block of ports")
    }

    /// The PID of a process whose command line contains `fragment` (arguments joined by spaces, plus a space).
    private static func pid(ofProcessWithArguments fragment: String) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { continue }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            if line.contains("txad-") && line.contains(fragment) { return pid }
        }
        return nil
    }
}
