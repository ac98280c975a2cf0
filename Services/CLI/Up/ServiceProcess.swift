import Foundation

/// One txad executable started by `txad up`, its output going to a log file.
final class ServiceProcess: @unchecked Sendable {
    // @unchecked: `Process` is not Sendable; this wrapper only calls its thread-safe members (run, terminate,
    // isRunning, processIdentifier, waitUntilExit) and keeps no other mutable state.
    let name: String
    let logPath: String
    private let process: Process

    init(name: String, executable: String, arguments: [String], environment: [String: String], logPath: String) throws {
        self.name = name
        self.logPath = logPath
        guard FileManager.default.fileExists(atPath: logPath) || FileManager.default.createFile(atPath: logPath, contents: nil),
            let log = FileHandle(forWritingAtPath: logPath) else {
            throw CLIError("cannot write the log file \(logPath)")
        }
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        self.process = process
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    /// How it ended, once it has: "exit status N" or "killed by signal N".
    var exitDescription: String {
        guard !process.isRunning else { return "running" }
        return process.terminationReason == .uncaughtSignal
            ? "killed by signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
    }
    var pid: Int32 { process.processIdentifier }

    /// SIGTERM, then SIGKILL after `grace` if it has not exited.
    func stop(grace: Duration) async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// The last lines of its log, for error messages.
    func logTail(lines: Int = 15) -> String {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

/// A command-line error with a message for the user.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { self.description = message }
}
