import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a command to its end from async tests without blocking a thread of Swift's cooperative pool.
///
/// `Process.waitUntilExit()` and `readDataToEndOfFile()` block their thread; on a 2-core machine the pool has two,
/// and two tests doing so at once stalled every other test of the target (and the helpers they waited on). Output
/// goes to files, never pipes, so a chatty command cannot fill a pipe and wait for a reader that is not there.
public enum Command {
    /// What a finished command printed and how it ended.
    public struct Result: Sendable {
        public let status: Int32
        /// Standard output, byte for byte.
        public let outputData: Data
        public let errors: String
        /// Standard output as UTF-8 text.
        public var output: String { String(decoding: outputData, as: UTF8.self) }
    }

    /// The directory of the built executables: `TXAD_BIN_DIR`, else next to the test bundle, else `.build/debug`.
    public static let binDirectory: String = {
        if let dir = ProcessInfo.processInfo.environment["TXAD_BIN_DIR"], !dir.isEmpty { return dir }
        // …/.build/<triple>/debug/txadPackageTests.xctest → …/.build/<triple>/debug
        let candidate = Bundle.main.bundleURL.deletingLastPathComponent()
        if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("txad").path) {
            return candidate.path
        }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repo.appendingPathComponent(".build/debug").path
    }()

    /// Runs `executable` with `arguments` for at most `timeout`; `environment` adds variables (nil removes one),
    /// `input` is its standard input, `directory` its working directory.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:], input: Data? = nil,
        directory: String? = nil, timeout: Duration = .seconds(900)
    ) async throws -> Result {
        let base = NSTemporaryDirectory() + "txad-command-\(UUID().uuidString)"
        let (inPath, outPath, errPath) = (base + ".in", base + ".out", base + ".err")
        defer {
            for path in [inPath, outPath, errPath] { try? FileManager.default.removeItem(atPath: path) }
        }
        _ = FileManager.default.createFile(atPath: inPath, contents: input ?? Data())
        for path in [outPath, errPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            for (name, value) in environment { merged[name] = value }
            process.environment = merged
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle(forReadingAtPath: inPath)
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        try process.run()
        let status = try await process.exited(timeout: timeout)
        let read = { (path: String) in FileManager.default.contents(atPath: path) ?? Data() }
        return Result(status: status, outputData: read(outPath), errors: String(decoding: read(errPath), as: UTF8.self))
    }

    /// Runs the built `txad` with `arguments`; what it printed, or an error carrying both streams when it fails.
    @discardableResult
    public static func txad(
        _ arguments: [String], environment: [String: String?] = [:], timeout: Duration = .seconds(900)
    ) async throws -> Result {
        let result = try await run(binDirectory + "/txad", arguments, environment: environment, timeout: timeout)
        guard result.status == 0 else {
            throw CommandError(
                "txad \(arguments.joined(separator: " ")) exited with \(result.status):\n\(result.output.suffix(4000))"
                    + "\n\(result.errors.suffix(4000))")
        }
        return result
    }
}

/// A command that failed or did not end in time.
public struct CommandError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Process {
    /// Waits until the process has exited, polling without blocking a thread; returns its exit status (128 +
    /// signal number when a signal ended it).
    ///
    /// If Foundation has not noticed the exit 5 s after the process became a zombie (it watches a socket the child
    /// holds, which a grandchild that inherited it keeps open), the zombie is reaped here.
    public func exited(timeout: Duration = .seconds(900)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        var zombieSince: ContinuousClock.Instant?
        while isRunning {
            guard ContinuousClock.now < deadline else {
                throw CommandError("\(executableURL?.lastPathComponent ?? "process") still running after \(timeout)")
            }
            if Self.isZombie(processIdentifier) {
                let since = zombieSince ?? ContinuousClock.now
                zombieSince = since
                if ContinuousClock.now - since > .seconds(5) {
                    var status: Int32 = 0
                    if waitpid(processIdentifier, &status, WNOHANG) == processIdentifier {
                        let signal = status & 0x7f
                        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return terminationReason == .uncaughtSignal ? 128 + terminationStatus : terminationStatus
    }

    /// Whether `/proc` shows `pid` as a zombie (exited, not yet reaped).
    private static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].drop { $0 == " " }.first == "Z"
    }
}
