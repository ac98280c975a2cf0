import Foundation

/// Keeps the local cluster's services running: a service that exits is started again after a backoff (1 s,
/// doubling to 30 s; back to 1 s once it has stayed up for a minute), every restart is printed and counted, and
/// each service's state is printed when it changes (started, ready, exited, restarting).
actor ServiceSupervisor {
    /// How to start one service and how to tell it is ready.
    struct Specification: Sendable {
        var name: String
        var executable: String
        var arguments: [String]
        var environment: [String: String]
        var logPath: String
        var readinessURL: String
    }

    private enum State: Equatable {
        case starting
        case ready
        case waitingToRestart(until: ContinuousClock.Instant)
    }

    private struct Entry {
        var specification: Specification
        var process: ServiceProcess?
        var state: State = .starting
        var startedAt = ContinuousClock.now
        var restarts = 0
        var backoff: Duration = .seconds(1)
    }

    private var entries: [Entry]
    private let say: @Sendable (String) -> Void
    private static let maximumBackoff: Duration = .seconds(30)
    private static let stableAfter: Duration = .seconds(60)

    init(_ specifications: [Specification], say: @escaping @Sendable (String) -> Void) {
        self.entries = specifications.map { Entry(specification: $0) }
        self.say = say
    }

    /// Restarts per service so far.
    var restarts: [String: Int] { Dictionary(uniqueKeysWithValues: entries.map { ($0.specification.name, $0.restarts) }) }

    /// The PID of a running service, for tests and status lines.
    func pid(of name: String) -> Int32? {
        entries.first { $0.specification.name == name }?.process.flatMap { $0.isRunning ? $0.pid : nil }
    }

    /// Starts every service in order and waits until each is ready; throws (with the log tail) when one exits or
    /// is not ready within `timeout`.
    func startAll(timeout: Duration) async throws {
        for index in entries.indices {
            try launch(index)
        }
        for index in entries.indices {
            guard let process = entries[index].process else { continue }
            let ready = await ReadinessProbe.waitUntilReady(entries[index].specification.readinessURL, timeout: timeout) {
                process.isRunning
            }
            guard ready else {
                throw CLIError(
                    "\(process.name) did not become ready; last lines of \(process.logPath):\n\(process.logTail())")
            }
            entries[index].state = .ready
            say("  \(process.name): ready")
        }
    }

    /// Watches the services until the task is cancelled, restarting those that exit.
    func supervise() async {
        while !Task.isCancelled {
            for index in entries.indices { await check(index) }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Stops every service, the last started first, each with SIGTERM and then SIGKILL after `grace`.
    func stopAll(grace: Duration) async {
        for entry in entries.reversed() { await entry.process?.stop(grace: grace) }
    }

    private func check(_ index: Int) async {
        let name = entries[index].specification.name
        switch entries[index].state {
        case .waitingToRestart(let until):
            guard ContinuousClock.now >= until else { return }
            do {
                try launch(index)
                say("  \(name): restarted (restart \(entries[index].restarts))")
            } catch {
                scheduleRestart(index, reason: "could not be started: \(error)")
            }
        case .starting, .ready:
            guard let process = entries[index].process else { return }
            guard process.isRunning else {
                let tail = process.logTail(lines: 8)
                scheduleRestart(index, reason: "exited (\(process.exitDescription)); last lines of \(process.logPath):\n\(tail)")
                return
            }
            if entries[index].state == .starting,
                let url = URL(string: entries[index].specification.readinessURL),
                await ReadinessProbe.status(of: url) == 200
            {
                entries[index].state = .ready
                say("  \(name): ready")
            }
            if entries[index].state == .ready, ContinuousClock.now - entries[index].startedAt >= Self.stableAfter {
                entries[index].backoff = .seconds(1)
            }
        }
    }

    private func launch(_ index: Int) throws {
        let s = entries[index].specification
        entries[index].process = try ServiceProcess(
            name: s.name, executable: s.executable, arguments: s.arguments, environment: s.environment,
            logPath: s.logPath)
        entries[index].state = .starting
        entries[index].startedAt = .now
    }

    private func scheduleRestart(_ index: Int, reason: String) {
        let delay = entries[index].backoff
        entries[index].restarts += 1
        entries[index].backoff = min(delay * 2, Self.maximumBackoff)
        entries[index].state = .waitingToRestart(until: .now + delay)
        say("  \(entries[index].specification.name): \(reason)\n  → restarting in \(delay) (restart \(entries[index].restarts))")
    }
}
