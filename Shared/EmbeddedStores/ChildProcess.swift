#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Spawning, signalling and reaping of processes, with `posix_spawn` rather than Foundation's `Process`.
///
/// Why not `Process`: we need the exact PID (the server itself, not a wrapper), a fresh process group (so a
/// terminal Ctrl-C reaches us, not the servers, and we stop them in order), default signal dispositions in the
/// child (a parent that ignores SIGTERM, as ServiceLifecycle does, would otherwise hand that on), and to reap
/// children ourselves so a stopped server never stays a zombie.
///
/// All file descriptors this module creates are close-on-exec, and children start with only their three standard
/// streams, so no child inherits another child's pipes.
enum ChildProcess {
    /// Where a child's standard stream goes.
    enum Stream {
        /// `/dev/null`.
        case null
        /// An open descriptor of ours, duplicated onto the stream.
        case descriptor(Int32)
    }

    /// Starts `executable` (an absolute path) with `arguments` in its own process group and returns its PID.
    static func spawn(
        _ executable: String, _ arguments: [String], stdin: Stream = .null, output: Stream = .null
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (stream, target) in [(Int32(0), stdin), (1, output), (2, output)] {
            switch target {
            case .null:
                let mode = stream == 0 ? O_RDONLY : O_WRONLY
                posix_spawn_file_actions_addopen(&actions, stream, "/dev/null", mode, 0)
            case .descriptor(let fd):
                posix_spawn_file_actions_adddup2(&actions, fd, stream)
            }
        }
        // Descriptors of other threads that are not close-on-exec (Foundation's `Process` keeps one end of a socket
        // pair open until its child exits) must not live on in a long-running server: the other `Process` would
        // never see its child's end, and its `waitUntilExit()` would wait forever.
        if let closeFrom = addCloseFrom { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw EmbeddedStoreError(.systemError, "could not start \(executable): \(errorText(status))")
        }
        return pid
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time: the Glibc module is
    /// imported without `_GNU_SOURCE`, which hides its declaration.
    private static let addCloseFrom:
        (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
            guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")  // nil: RTLD_DEFAULT
            else { return nil }
            return unsafeBitCast(
                symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
        }()

    /// Reaps `pid` (a child of ours) if it has exited; returns true when it is gone.
    ///
    /// A child that is not ours (ECHILD) counts as gone only when `/proc` says so.
    static func reapIfExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return true }
            if result == 0 { return false }
            if errno == EINTR { continue }
            return !isAlive(pid)
        }
    }

    /// Waits until our child `pid` has exited (reaping it), for at most `seconds`; returns whether it is gone.
    static func waitForChild(_ pid: pid_t, seconds: Double) -> Bool {
        poll(seconds: seconds) { reapIfExited(pid) }
    }

    /// Waits until a process that is not our child is gone (zombies count as gone), for at most `seconds`.
    static func waitForExit(_ pid: pid_t, seconds: Double) -> Bool {
        poll(seconds: seconds) { !isAlive(pid) }
    }

    /// Whether a process exists and is not a zombie.
    ///
    /// `kill(pid, 0)` is not enough: an orphan that exited stays a zombie until init reaps it, which on this kind
    /// of machine takes up to about two seconds, and `kill` reports it alive all that time.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0 else { return false }
        guard let stat = readSmallFile("/proc/\(pid)/stat") else {
            return kill(pid, 0) == 0 || errno == EPERM
        }
        // Format: "pid (comm) S ..."; comm may contain spaces and parentheses, so take the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        return state != "Z" && state != "X"
    }

    /// The command name of a running process (`/proc/PID/comm`), used to check a PID still belongs to our server.
    static func commandName(_ pid: pid_t) -> String? {
        readSmallFile("/proc/\(pid)/comm").map { String($0.prefix { $0 != "\n" }) }
    }

    /// Sends `signal` to `pid`; a process that is already gone is not an error.
    static func send(_ signal: Int32, to pid: pid_t) {
        _ = kill(pid, signal)
    }

    /// Calls `condition` every 20 ms until it holds or `seconds` have passed; returns its last value.
    static func poll(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = monotonicSeconds() + seconds
        while true {
            if condition() { return true }
            if monotonicSeconds() >= deadline { return condition() }
            usleep(20_000)
        }
    }

    /// Seconds on the monotonic clock, for deadlines.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// `strerror` text with the errno value, for messages.
    static func errorText(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }

    /// Reads a file of at most a few KiB (procfs entries, pid files); nil when it cannot be read.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { return nil }
        return String(decoding: bytes[..<count], as: UTF8.self)
    }
}
