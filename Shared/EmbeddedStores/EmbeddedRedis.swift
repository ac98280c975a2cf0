import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A `redis-server` process of our own on a free loopback port: throwaway for tests, or persistent for `txad up`.
///
/// ```swift
/// let redis = try await EmbeddedRedis.start()
/// defer { Task { try await redis.stop() } }   // or: try await redis.stop() at the end of the test
/// let client = try RedisClient(url: redis.url)
/// ```
///
/// - Throwaway (default): data in a fresh temp directory, no persistence (`--save ''`, no AOF); the directory
///   is removed by `stop()`.
/// - Persistent (`Options.dataDirectory`): an append-only file (fsync every second) in that directory, kept across
///   runs; no RDB snapshots on top (their fork-and-compress competed with the services for the CPU).
///
/// The server runs in its own process group. It never outlives us: `stop()` ends it; a normal process exit runs
/// `stop()` for every instance still running (an `atexit` registry); a crash or kill of our process makes its
/// watchdog stop it and remove the throwaway directory. `kill()` and `restart()` let tests take the store away
/// from a system under test and bring it back on the same port.
///
/// Thread-safe; the lifecycle methods are serialized and run their blocking work off the Swift concurrency pool.
public final class EmbeddedRedis: Sendable {
    /// How to start the server.
    public struct Options: Sendable {
        /// The port on 127.0.0.1; nil picks a free one (and retries on a collision).
        public var port: Int?
        /// Keep data here (append-only file, `appendfsync everysec`); nil for a throwaway server.
        /// A relative path is taken relative to the current directory.
        public var dataDirectory: String?
        /// Path of `redis-server`; nil looks it up on `PATH`.
        public var executable: String?
        /// How long to wait for the server to answer `PING` (loading a large append-only file takes a while).
        public var startupTimeout: Duration

        /// Creates options; the defaults give a throwaway server on a free port.
        public init(
            port: Int? = nil, dataDirectory: String? = nil, executable: String? = nil,
            startupTimeout: Duration = .seconds(30)
        ) {
            self.port = port
            self.dataDirectory = dataDirectory
            self.executable = executable
            self.startupTimeout = startupTimeout
        }
    }

    /// The TCP port on 127.0.0.1. It stays the same across `restart()`.
    public var port: Int { portNumber.load(ordering: .acquiring) }
    /// `redis://127.0.0.1:PORT`, for `RedisClient` and `REDIS_URL`.
    public var url: String { "redis://127.0.0.1:\(port)" }
    /// The server's working directory (data and `redis.log`).
    public let dataDirectory: String
    /// Whether data is kept (`Options.dataDirectory` was given) rather than thrown away.
    public let isPersistent: Bool

    private let executable: String
    private let startupTimeout: Double
    private let logger: Logger
    private let state: Mutex<ServerState>
    /// Set once by the start that succeeded.
    private let portNumber = Atomic<Int>(0)

    private static let commandName = "redis-server"

    private init(
        dataDirectory: String, isPersistent: Bool, executable: String, startupTimeout: Double, logger: Logger,
        watchdog: Watchdog?
    ) {
        self.dataDirectory = dataDirectory
        self.isPersistent = isPersistent
        self.executable = executable
        self.startupTimeout = startupTimeout
        self.logger = logger
        self.state = Mutex(ServerState(watchdog: watchdog))
    }

    /// Starts a server and waits until it answers `PING`.
    ///
    /// - Throws: `EmbeddedStoreError` `.missingDependency` when `redis-server` is not installed (the message names
    ///   the Debian package), `.invalidOptions`, `.startFailed` with the tail of the server log.
    public static func start(
        _ options: Options = Options(), logger: Logger = Logger(label: "txad.embedded-redis")
    ) async throws -> EmbeddedRedis {
        try await offload { try startBlocking(options, logger: logger) }
    }

    /// The PID of the running server, or nil while it is down (after `kill()`) or stopped.
    public var pid: Int32? {
        state.withLock { state in
            if let pid = state.pid, ChildProcess.reapIfExited(pid) { state.pid = nil }
            return state.pid
        }
    }

    /// Whether the server process is alive.
    public var isRunning: Bool { pid != nil }

    /// Stops the server (SIGTERM, then SIGKILL after 10 s), waits until it is really gone, and removes a
    /// throwaway directory. Idempotent; the handle cannot be restarted afterwards.
    public func stop() async throws {
        try await offload { try self.stopBlocking() }
    }

    /// Stops the server if it runs, then starts it again on the same port and waits for `PING`.
    ///
    /// A throwaway server comes back empty; a persistent one reloads its append-only file.
    public func restart() async throws {
        try await offload { try self.restartBlocking() }
    }

    /// Kills the server with SIGKILL (a crash, as seen by clients) and leaves it down until `restart()`.
    public func kill() async throws {
        try await offload { try self.killBlocking() }
    }

    // MARK: - Blocking implementation

    private static func startBlocking(_ options: Options, logger: Logger) throws -> EmbeddedRedis {
        let executable = try Executables.require(
            "redis-server", explicit: options.executable, package: "redis-server")
        if let port = options.port, !(1...65535).contains(port) {
            throw EmbeddedStoreError(.invalidOptions, "port: \(port) is not in 1...65535")
        }
        let persistent = options.dataDirectory != nil
        let directory =
            try options.dataDirectory.map(Directories.createPersistent)
            ?? Directories.makeTemporary(prefix: "txad-redis")
        let redis: EmbeddedRedis
        do {
            redis = EmbeddedRedis(
                dataDirectory: directory, isPersistent: persistent, executable: executable,
                startupTimeout: options.startupTimeout.seconds, logger: logger,
                watchdog: persistent ? nil : try Watchdog.arm(.none, removing: directory))
        } catch {
            if !persistent { Directories.remove(directory, logger: logger) }
            throw error
        }
        do {
            try redis.state.withLock { state in
                var attempt = 1
                while true {
                    let port = try options.port ?? Loopback.freePort()
                    do {
                        try redis.launch(into: &state, port: port)
                        return
                    } catch let error as PortInUse {
                        guard options.port == nil, attempt < 5 else {
                            throw EmbeddedStoreError(.startFailed, "port \(error.port) is already in use")
                        }
                        logger.debug("port taken, retrying", metadata: ["port": "\(error.port)"])
                        attempt += 1
                    }
                }
            }
        } catch {
            redis.state.withLock { $0.disarm() }
            if !persistent { Directories.remove(directory, logger: logger) }
            throw error
        }
        ProcessRegistry.shared.add(redis) {
            do {
                try redis.stopBlocking(atExit: true)
            } catch {
                logger.warning("stopping redis-server at exit failed", metadata: ["error": "\(error)"])
            }
        }
        logger.info(
            "redis-server started",
            metadata: ["url": "\(redis.url)", "pid": "\(redis.pid ?? 0)", "dir": "\(directory)"])
        return redis
    }

    /// Spawns the server on `port`, hands it to the watchdog at once, and waits until it is ready.
    private func launch(into state: inout ServerState, port: Int) throws {
        let logFile = dataDirectory + "/redis.log"
        let logOffset = fileSize(logFile)
        var arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--daemonize", "no",
            "--dir", dataDirectory, "--logfile", logFile,
        ]
        arguments += ["--save", ""] + (isPersistent ? ["--appendonly", "yes", "--appendfsync", "everysec"] : ["--appendonly", "no"])
        let pid = try ChildProcess.spawn(executable, arguments)
        let throwaway = isPersistent ? nil : dataDirectory
        do {
            try state.replaceWatchdog(
                .signal(pid: pid, commandName: Self.commandName, signal: "TERM"), throwawayDirectory: throwaway)
        } catch {
            ChildProcess.send(SIGKILL, to: pid)
            _ = ChildProcess.waitForChild(pid, seconds: 5)
            throw error
        }
        let ready = ChildProcess.poll(seconds: startupTimeout) {
            ChildProcess.reapIfExited(pid)
                || (Loopback.redisAnswersPing(port: port) && isReady(logFile, from: logOffset))
        }
        if ready && !ChildProcess.reapIfExited(pid) {
            state.pid = pid
            portNumber.store(port, ordering: .releasing)
            return
        }
        let exited = ChildProcess.reapIfExited(pid)
        if !exited {
            ChildProcess.send(SIGKILL, to: pid)
            _ = ChildProcess.waitForChild(pid, seconds: 5)
        }
        try state.replaceWatchdog(.none, throwawayDirectory: throwaway)
        let log = EmbeddedLogs.tail(ofFile: logFile)
        if exited && log.contains("Address already in use") { throw PortInUse(port: port) }
        throw EmbeddedStoreError(
            .startFailed,
            (exited
                ? "redis-server exited during startup"
                : "redis-server did not answer PING within \(Int(startupTimeout)) s")
                + " (port \(port), log \(logFile)):\n\(log)")
    }

    /// Stops the server for good. At exit another thread may hold the lock in the middle of a restart; exit must
    /// not hang on it, so then nothing is done here and the watchdog stops the server once we are gone.
    private func stopBlocking(atExit: Bool = false) throws {
        if atExit {
            if try state.withLockIfAvailable({ try stop(&$0) }) == nil {
                logger.warning("redis-server is busy at exit; its watchdog will stop it", metadata: ["port": "\(port)"])
            }
        } else {
            try state.withLock { try stop(&$0) }
        }
    }

    private func stop(_ state: inout ServerState) throws {
        guard !state.isStopped else { return }
        defer {
            state.disarm()
            state.isStopped = true
            if !isPersistent { Directories.remove(dataDirectory, logger: logger) }
            ProcessRegistry.shared.remove(self)
        }
        try terminate(&state)
        logger.info("redis-server stopped", metadata: ["port": "\(port)"])
    }

    private func restartBlocking() throws {
        try state.withLock { state in
            try state.checkNotStopped("EmbeddedRedis on port \(port)")
            try terminate(&state)
            do {
                try launch(into: &state, port: port)
            } catch let error as PortInUse {
                throw EmbeddedStoreError(.startFailed, "port \(error.port) was taken while redis-server was down")
            }
            logger.info("redis-server restarted", metadata: ["port": "\(port)", "pid": "\(state.pid ?? 0)"])
        }
    }

    private func killBlocking() throws {
        try state.withLock { state in
            try state.checkNotStopped("EmbeddedRedis on port \(port)")
            if let pid = state.pid {
                ChildProcess.send(SIGKILL, to: pid)
                guard ChildProcess.waitForChild(pid, seconds: 10) else {
                    throw EmbeddedStoreError(.stopFailed, "redis-server \(pid) survived SIGKILL")
                }
                state.pid = nil
            }
            try state.replaceWatchdog(.none, throwawayDirectory: isPersistent ? nil : dataDirectory)
            logger.info("redis-server killed", metadata: ["port": "\(port)"])
        }
    }

    /// SIGTERM (Redis saves and exits), SIGKILL after 10 s; waits until the process is reaped.
    /// The watchdog keeps watching the directory only.
    private func terminate(_ state: inout ServerState) throws {
        guard let pid = state.pid else { return }
        state.pid = nil
        try state.replaceWatchdog(.none, throwawayDirectory: isPersistent ? nil : dataDirectory)
        ChildProcess.send(SIGTERM, to: pid)
        if ChildProcess.waitForChild(pid, seconds: 10) { return }
        logger.warning("redis-server ignored SIGTERM for 10 s; killing it", metadata: ["pid": "\(pid)"])
        ChildProcess.send(SIGKILL, to: pid)
        guard ChildProcess.waitForChild(pid, seconds: 10) else {
            throw EmbeddedStoreError(.stopFailed, "redis-server \(pid) survived SIGKILL")
        }
    }

    /// Whether the log, from `offset` on (this launch only), says the server accepts connections.
    ///
    /// Together with `PING` this makes sure the server that answered is ours, not a stranger that took the port.
    private func isReady(_ logFile: String, from offset: Int) -> Bool {
        let fd = open(logFile, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 65536)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
        return count > 0 && String(decoding: bytes[..<count], as: UTF8.self).contains("Ready to accept connections")
    }

    private func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }
}

/// The server could not bind its port (someone took it between our check and its bind).
struct PortInUse: Error {
    var port: Int
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
