#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs short helper commands (`initdb`, `pg_ctl`, `psql`, `pg_config`) to completion and captures their output.
enum CommandRunner {
    /// How a helper command ended.
    struct Result {
        /// The exit status, or 128 + signal number when it was killed.
        var status: Int32
        /// Standard output and standard error, interleaved.
        var output: String

        /// The last lines of the output, for error messages.
        var tail: String { EmbeddedLogs.tail(of: output) }
    }

    /// Runs `executable arguments`, optionally as `user` through `runuser`, and waits for it.
    ///
    /// The command is killed (with its process group) after `timeout` seconds. The output pipe must reach EOF,
    /// so a command that leaves a daemon holding stdout (pg_ctl without `-l`) would run into the timeout.
    static func run(
        _ executable: String, _ arguments: [String], as user: SystemUser? = nil, timeout: Double
    ) throws -> Result {
        let (path, argv) = commandLine(executable, arguments, as: user)
        // A socket pair rather than pipe2 (a GNU extension Swift does not import): both ends close-on-exec
        // atomically, so a server spawned at the same moment by another thread cannot inherit our write end.
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw EmbeddedStoreError(.systemError, "socketpair failed: \(ChildProcess.errorText(errno))")
        }
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn(path, argv, output: .descriptor(fds[1]))
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        defer { close(fds[0]) }

        let deadline = ChildProcess.monotonicSeconds() + timeout
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var timedOut = false
        while true {
            let remaining = deadline - ChildProcess.monotonicSeconds()
            if remaining <= 0 {
                timedOut = true
                break
            }
            var pollFD = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollFD, 1, Int32(min(remaining, 1) * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let count = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            output.append(contentsOf: buffer[..<count])
        }
        if timedOut {
            _ = kill(-pid, SIGKILL)
            _ = ChildProcess.waitForChild(pid, seconds: 5)
            let text = String(decoding: output, as: UTF8.self)
            throw EmbeddedStoreError(
                .startFailed,
                "\(executable) did not finish within \(Int(timeout)) s and was killed; its output:\n"
                    + EmbeddedLogs.tail(of: text))
        }
        let status = waitForStatus(pid, deadline: deadline)
        return Result(status: status, output: String(decoding: output, as: UTF8.self))
    }

    /// The program and arguments that run `executable arguments` as `user` (nil: as ourselves).
    ///
    /// Through `runuser` and `sh -c 'cd / && exec …'`: the server user may not be allowed into our working
    /// directory, and initdb / pg_ctl complain when they cannot resolve it. `exec` keeps the PID.
    static func commandLine(_ executable: String, _ arguments: [String], as user: SystemUser?) -> (String, [String]) {
        guard let user else { return (executable, arguments) }
        return (
            user.runuser,
            ["-u", user.name, "--", "/bin/sh", "-c", "cd / && exec \"$0\" \"$@\"", executable] + arguments
        )
    }

    /// Runs a command and throws `code` with its output when it exits non-zero.
    static func check(
        _ executable: String, _ arguments: [String], as user: SystemUser? = nil, timeout: Double,
        failure code: EmbeddedStoreError.Code, _ what: String
    ) throws -> Result {
        let result = try run(executable, arguments, as: user, timeout: timeout)
        guard result.status == 0 else {
            throw EmbeddedStoreError(code, "\(what) failed (exit status \(result.status)):\n\(result.tail)")
        }
        return result
    }

    /// Waits for our child's exit status; kills it when it has not exited by `deadline` after closing its output.
    private static func waitForStatus(_ pid: pid_t, deadline: Double) -> Int32 {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 {
                if errno == EINTR { continue }
                return 255
            }
            if ChildProcess.monotonicSeconds() > deadline {
                _ = kill(-pid, SIGKILL)
            }
            usleep(5_000)
        }
        // WIFEXITED / WEXITSTATUS are macros that do not import; decode the wait status by hand.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
