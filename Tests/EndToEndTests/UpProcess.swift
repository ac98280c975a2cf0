import EmbeddedStores
import Foundation
import TestSupport
import Testing

/// A `txad up` process for tests: its own folder, free ports, its output in a log, helpers to wait for lines.
final class UpProcess: @unchecked Sendable {
    // @unchecked: used by one test at a time; `Process` is not Sendable.
    let root: String
    let gatewayPort: Int
    let basePort: Int
    let process = Process()
    private let logPath: String

    /// Starts `txad up` in a new 0700 folder with `arguments` after the state, model and port options.
    init(modelDirectory: String, arguments: [String] = [], environment extra: [String: String] = [:]) throws {
        // mkdtemp makes the folder 0700: as root, the 'postgres' system user cannot enter it.
        root = NSTemporaryDirectory() + "txad-up-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: root, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        gatewayPort = try Loopback.freePort()
        basePort = try Self.freeBasePort()
        process.executableURL = URL(fileURLWithPath: LocalCluster.binDirectory + "/txad")
        process.arguments =
            [
                "up", "--state-dir", root + "/state", "--model-dir", modelDirectory,
                "--gateway-port", "\(gatewayPort)", "--base-port", "\(basePort)",
            ] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var environment = ProcessInfo.processInfo.environment
        environment["REDIS_URL"] = nil
        environment["DATABASE_URL"] = nil
        environment["TXAD_AUTH"] = nil  // the newcomer's default: authentication on, an admin key made on first start
        environment.merge(extra) { _, new in new }
        process.environment = environment
        logPath = root + "/up.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try #require(FileHandle(forWritingAtPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// What `txad up` printed so far.
    func output() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The admin key `txad up` saved.
    func adminKey() throws -> String {
        try String(contentsOfFile: root + "/state/admin-key", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits until `text` was printed; fails if `txad up` exits first.
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

    /// Ctrl-C, then waits up to 90 s for the exit; returns the exit status.
    @discardableResult
    func interrupt() async throws -> Int32 {
        Foundation.kill(process.processIdentifier, SIGINT)
        return try await process.exited(timeout: .seconds(90))
    }

    /// Kills what is left and removes the folder (and PostgreSQL's relocated data folder, if any).
    func cleanUp() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        if let line = output().split(separator: "\n").first(where: { $0.contains("PostgreSQL: started") }),
            line.contains("/var/lib/postgresql/txad/"),
            let relocated = line.split(separator: "(data in ").last.map({ String($0.dropLast()) })
        {
            try? FileManager.default.removeItem(atPath: relocated)
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The PID of a txad process whose command line contains `fragment` (arguments joined by spaces, plus a space).
    static func pid(ofProcessWithArguments fragment: String) -> Int32? {
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

    /// A base port whose three service ports and three admin ports (base + 2100…) are all free.
    private static func freeBasePort() throws -> Int {
        for _ in 0..<200 {
            let base = Int.random(in: 20_000...38_000)
            let ports = [base, base + 1, base + 2, base + 2100, base + 2101, base + 2102]
            if ports.allSatisfy(Loopback.isFree) { return base }
        }
        throw ClusterError("no free block of ports")
    }
}
