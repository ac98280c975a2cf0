import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A PostgreSQL cluster of our own on a free loopback port: throwaway for tests, or persistent for `txad up`.
///
/// ```swift
/// let postgres = try await EmbeddedPostgres.start()
/// let client = try PostgresClient(url: postgres.url)   // postgresql://postgres@127.0.0.1:PORT/txad
/// ...
/// try await postgres.stop()
/// ```
///
/// - Throwaway (default): `initdb --no-sync` into a fresh temp directory, `fsync`/`synchronous_commit`/
///   `full_page_writes` off; `stop()` removes the directory.
/// - Persistent (`Options.dataDirectory`): reuses the cluster found there (or creates one), durable settings.
///
/// Authentication is `trust` for the superuser `postgres`, and the server listens on 127.0.0.1 only, with its
/// Unix socket inside the data directory. When we run as root the server runs as the system user `postgres`
/// (through `runuser`; PostgreSQL refuses root) and the data directory is given to that user. Binaries come from
/// `pg_config --bindir`, because stock Debian does not put `initdb` or `pg_ctl` on `PATH`.
///
/// The server never outlives us: `stop()`, the exit registry and a watchdog (see `EmbeddedRedis`) cover normal
/// and abnormal exits. Thread-safe; lifecycle methods are serialized and run off the Swift concurrency pool.
public final class EmbeddedPostgres: Sendable {
    /// How to start the cluster.
    public struct Options: Sendable {
        /// The port on 127.0.0.1; nil picks a free one (and retries on a collision).
        public var port: Int?
        /// Keep the cluster here (created on first use, reused afterwards); nil for a throwaway cluster.
        /// A relative path is taken relative to the current directory.
        public var dataDirectory: String?
        /// The database to create if missing and to put in `url`: 1–63 letters, digits or `_`, not starting
        /// with a digit.
        public var database: String
        /// The system user the server runs as when we are root.
        public var systemUser: String
        /// Directory with `initdb`, `pg_ctl` and `psql`; nil asks `pg_config --bindir`.
        public var binDirectory: String?
        /// How long `initdb` and `pg_ctl start` may take each (crash recovery of a persistent cluster included).
        public var startupTimeout: Duration

        /// Creates options; the defaults give a throwaway cluster with database `txad` on a free port.
        public init(
            port: Int? = nil, dataDirectory: String? = nil, database: String = "txad",
            systemUser: String = "postgres", binDirectory: String? = nil, startupTimeout: Duration = .seconds(60)
        ) {
            self.port = port
            self.dataDirectory = dataDirectory
            self.database = database
            self.systemUser = systemUser
            self.binDirectory = binDirectory
            self.startupTimeout = startupTimeout
        }
    }

    /// The TCP port on 127.0.0.1. It stays the same across `restart()`.
    public var port: Int { portNumber.load(ordering: .acquiring) }
    /// The database created at start.
    public let database: String
    /// `postgresql://postgres@127.0.0.1:PORT/DATABASE`, for `PostgresClient` and `DATABASE_URL`.
    public var url: String { "postgresql://postgres@127.0.0.1:\(port)/\(database)" }
    /// The cluster's data directory (its log is `embedded-postgres.log` in it).
    public let dataDirectory: String
    /// Whether data is kept (`Options.dataDirectory` was given) rather than thrown away.
    public let isPersistent: Bool
    /// The directory that was asked for. It differs from ``dataDirectory`` when the server user could not reach it
    /// (a clone under root's home or a `mktemp -d` folder, both mode 0700): the data then lives in a directory of
    /// that user's own (``relocatedDataDirectory(for:home:)``), and the asked-for folder holds a `RELOCATED` note.
    public let requestedDirectory: String
    /// Whether the data lives somewhere other than the directory asked for.
    public var isRelocated: Bool { requestedDirectory != dataDirectory }

    private let binDirectory: String
    private let user: SystemUser?
    private let timeout: Double
    private let logger: Logger
    private let state: Mutex<ServerState>
    /// Set once by the start that succeeded.
    private let portNumber = Atomic<Int>(0)

    private static let configFile = "txad-embedded.conf"

    private init(
        database: String, dataDirectory: String, isPersistent: Bool, requestedDirectory: String, binDirectory: String,
        user: SystemUser?, timeout: Double, logger: Logger
    ) {
        self.database = database
        self.dataDirectory = dataDirectory
        self.isPersistent = isPersistent
        self.requestedDirectory = requestedDirectory
        self.binDirectory = binDirectory
        self.user = user
        self.timeout = timeout
        self.logger = logger
        self.state = Mutex(ServerState())
    }

    /// Creates (or reuses) the cluster, starts it with `pg_ctl -w start` and creates the database.
    ///
    /// - Throws: `EmbeddedStoreError` `.missingDependency` when PostgreSQL or the `postgres` user is missing (the
    ///   message names the Debian package), `.invalidOptions`, `.startFailed` with the tail of the server log.
    public static func start(
        _ options: Options = Options(), logger: Logger = Logger(label: "txad.embedded-postgres")
    ) async throws -> EmbeddedPostgres {
        try await offload { try startBlocking(options, logger: logger) }
    }

    /// The postmaster's PID, or nil while the server is down (after `kill()`) or stopped.
    public var pid: Int32? {
        state.withLock { state in
            if let pid = state.pid, !ChildProcess.isAlive(pid) { state.pid = nil }
            return state.pid
        }
    }

    /// Whether the postmaster is alive.
    public var isRunning: Bool { pid != nil }

    /// Stops the server (`pg_ctl -m fast stop`; SIGINT, then SIGKILL, by PID if that fails), waits until it is
    /// really gone and removes a throwaway data directory. Idempotent; the handle cannot be restarted afterwards.
    public func stop() async throws {
        try await offload { try self.stopBlocking() }
    }

    /// Stops the server if it runs (fast shutdown: clients are disconnected), then starts it again on the same
    /// port. Data is kept, also for a throwaway cluster.
    public func restart() async throws {
        try await offload { try self.restartBlocking() }
    }

    /// Crashes the server (`pg_ctl -m immediate stop`: every backend exits at once, no checkpoint) and leaves it
    /// down until `restart()`, which then runs crash recovery.
    public func kill() async throws {
        try await offload { try self.killBlocking() }
    }

    // MARK: - Blocking implementation

    private static func startBlocking(_ options: Options, logger: Logger) throws -> EmbeddedPostgres {
        try validate(options)
        let binDirectory = try Executables.postgresBinDirectory(explicit: options.binDirectory)
        let user = try SystemUser.forServer(named: options.systemUser)
        let persistent = options.dataDirectory != nil
        let requested =
            try options.dataDirectory.map(Directories.createPersistent)
            ?? Directories.makeTemporary(prefix: "txad-pg")
        let directory = try user.map { try reachableDirectory(for: requested, persistent: persistent, user: $0) }
            ?? requested
        let postgres = EmbeddedPostgres(
            database: options.database, dataDirectory: directory, isPersistent: persistent,
            requestedDirectory: requested, binDirectory: binDirectory, user: user,
            timeout: options.startupTimeout.seconds, logger: logger)
        do {
            try postgres.state.withLock { state in
                // One watchdog for the instance's whole life, armed before anything runs: it finds the server by
                // its data directory, so it also covers a death during initdb or pg_ctl start, and restarts.
                try state.replaceWatchdog(
                    .command(postgres.pgCtlCommand(["-m", "fast", "-w", "-t", "60", "stop"])),
                    throwawayDirectory: persistent ? nil : directory)
                try postgres.initializeClusterIfNeeded()
                var attempt = 1
                while true {
                    let port = try options.port ?? Loopback.freePort()
                    do {
                        try postgres.launch(into: &state, port: port)
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
            try postgres.createDatabaseIfMissing()
        } catch {
            do {
                try postgres.stopBlocking()
            } catch let stopError {
                logger.warning("stopping PostgreSQL after a failed start failed", metadata: ["error": "\(stopError)"])
            }
            throw error
        }
        ProcessRegistry.shared.add(postgres) {
            do {
                try postgres.stopBlocking(atExit: true)
            } catch {
                logger.warning("stopping PostgreSQL at exit failed", metadata: ["error": "\(error)"])
            }
        }
        logger.info(
            "PostgreSQL started",
            metadata: ["url": "\(postgres.url)", "pid": "\(postgres.pid ?? 0)", "dir": "\(directory)"])
        return postgres
    }

    /// `requested` when `user` can enter its parent (where the server's own 0700 directory goes); otherwise a
    /// directory under the user's home, the same one every time for the same request, so data survives restarts.
    private static func reachableDirectory(for requested: String, persistent: Bool, user: SystemUser) throws -> String {
        let parent = URL(fileURLWithPath: requested).deletingLastPathComponent().path
        guard !user.canEnter(parent) else { return requested }
        let base = user.home + "/txad"
        guard user.canEnter(user.home) else {
            throw EmbeddedStoreError(
                .invalidOptions,
                "\(user.name) cannot reach \(parent) (a folder only root can enter?) nor its own home \(user.home); "
                    + "give PostgreSQL a data directory it can reach, or set DATABASE_URL")
        }
        do {
            if !Directories.exists(base) {
                try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
                try user.own(base)
            }
        } catch {
            throw EmbeddedStoreError(.systemError, "could not create \(base) for \(user.name): \(error)")
        }
        let directory: String
        if persistent {
            directory = relocatedDataDirectory(for: requested, home: user.home)
            if !Directories.exists(directory) {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            }
            let note = "PostgreSQL data for this folder lives in \(directory): \(user.name) cannot reach \(parent).\n"
            try? note.write(toFile: requested + "/RELOCATED", atomically: true, encoding: .utf8)
        } else {
            Directories.remove(requested, logger: Logger(label: "txad.embedded-postgres"))
            directory = try Directories.makeTemporary(prefix: "txad-pg", in: base)
        }
        return directory
    }

    /// Where the data for `requested` lives when the server user cannot reach it: `<home>/txad/<name>-<hash>`,
    /// the hash (FNV-1a, 64 bits) of the absolute requested path keeping clusters of different clones apart.
    public static func relocatedDataDirectory(for requested: String, home: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in requested.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        let name = URL(fileURLWithPath: requested).lastPathComponent
        return "\(home)/txad/\(name)-\(String(repeating: "0", count: 16 - hex.count) + hex)"
    }

    private static func validate(_ options: Options) throws {
        if let port = options.port, !(1...65535).contains(port) {
            throw EmbeddedStoreError(.invalidOptions, "port: \(port) is not in 1...65535")
        }
        let name = Array(options.database.utf8)
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        let isLetter = { (byte: UInt8) in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
        let valid =
            (1...63).contains(name.count) && !isDigit(name[0])
            && name.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
        guard valid else {
            throw EmbeddedStoreError(
                .invalidOptions,
                "database: '\(options.database)' must be 1-63 letters, digits or '_' and not start with a digit")
        }
    }

    /// Runs `initdb` unless the directory already holds a cluster, and makes `postgresql.conf` include our file.
    private func initializeClusterIfNeeded() throws {
        if !Directories.exists(dataDirectory + "/PG_VERSION") {
            guard Directories.isEmpty(dataDirectory) else {
                throw EmbeddedStoreError(
                    .invalidOptions,
                    "dataDirectory: \(dataDirectory) is neither empty nor a PostgreSQL data directory (no PG_VERSION)")
            }
            try user?.own(dataDirectory)
            var arguments = ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"]
            // A throwaway cluster need not survive a power cut; fsyncing every file makes initdb ten times slower.
            if !isPersistent { arguments.append("--no-sync") }
            _ = try CommandRunner.check(
                binDirectory + "/initdb", arguments, as: user, timeout: timeout, failure: .startFailed,
                "initdb -D \(dataDirectory)"
                    + (user.map { " (as user \($0.name), who must be able to reach that directory)" } ?? ""))
        }
        let mainConfig = dataDirectory + "/postgresql.conf"
        let include = "include_if_exists = '\(Self.configFile)'"
        let current = try Self.readFile(mainConfig)
        if !current.contains(include) {
            try Self.writeFile(mainConfig, current + "\n# Added by txad EmbeddedPostgres.\n\(include)\n", owner: user)
        }
    }

    /// Writes our settings for `port` and starts the server with `pg_ctl -w`.
    private func launch(into state: inout ServerState, port: Int) throws {
        let socketDirectory = dataDirectory
        // Unix socket paths are limited to 107 bytes; a deep persistent directory gets TCP only.
        let socketSetting = socketDirectory.utf8.count + "/.s.PGSQL.65535".utf8.count <= 107 ? socketDirectory : ""
        var settings = [
            "listen_addresses = '127.0.0.1'",
            "port = \(port)",
            "unix_socket_directories = '\(socketSetting.replacingSingleQuotes())'",
        ]
        if !isPersistent {
            settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        }
        try Self.writeFile(
            dataDirectory + "/" + Self.configFile,
            "# Written by txad EmbeddedPostgres at every start.\n" + settings.joined(separator: "\n") + "\n",
            owner: user)

        let logFile = dataDirectory + "/embedded-postgres.log"
        let result = try CommandRunner.run(
            binDirectory + "/pg_ctl", ["-D", dataDirectory, "-l", logFile, "-w", "-t", String(Int(timeout)), "start"],
            as: user, timeout: timeout + 10)
        guard result.status == 0, let pid = postmasterPID() else {
            let log = EmbeddedLogs.tail(ofFile: logFile)
            if log.contains("could not bind") || log.contains("Address already in use") {
                _ = try? pgCtl(["-m", "immediate", "stop"])
                throw PortInUse(port: port)
            }
            throw EmbeddedStoreError(
                .startFailed,
                "pg_ctl start failed (exit status \(result.status), port \(port)):\n\(result.tail)\n"
                    + "server log \(logFile):\n\(log)")
        }
        state.pid = pid
        portNumber.store(port, ordering: .releasing)
    }

    private func createDatabaseIfMissing() throws {
        let connection = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres"]
        let exists = try CommandRunner.check(
            binDirectory + "/psql",
            connection + ["-d", "postgres", "-tA", "-c", "SELECT 1 FROM pg_database WHERE datname = '\(database)'"],
            timeout: 30, failure: .startFailed, "psql (checking for database \(database))")
        guard exists.output.trimmingWhitespace() != "1" else { return }
        _ = try CommandRunner.check(
            binDirectory + "/psql", connection + ["-d", "postgres", "-c", "CREATE DATABASE \"\(database)\""],
            timeout: 30, failure: .startFailed, "psql (CREATE DATABASE \(database))")
    }

    /// Stops the server for good. At exit another thread may hold the lock in the middle of a restart; exit must
    /// not hang on it, so then nothing is done here and the watchdog stops the server once we are gone.
    private func stopBlocking(atExit: Bool = false) throws {
        if atExit {
            if try state.withLockIfAvailable({ try stop(&$0) }) == nil {
                logger.warning("PostgreSQL is busy at exit; its watchdog will stop it", metadata: ["port": "\(port)"])
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
        try shutDown(&state)
        logger.info("PostgreSQL stopped", metadata: ["port": "\(port)"])
    }

    private func restartBlocking() throws {
        try state.withLock { state in
            try state.checkNotStopped("EmbeddedPostgres on port \(port)")
            try shutDown(&state)
            do {
                try launch(into: &state, port: port)
            } catch let error as PortInUse {
                throw EmbeddedStoreError(.startFailed, "port \(error.port) was taken while PostgreSQL was down")
            }
            logger.info("PostgreSQL restarted", metadata: ["port": "\(port)", "pid": "\(state.pid ?? 0)"])
        }
    }

    private func killBlocking() throws {
        try state.withLock { state in
            try state.checkNotStopped("EmbeddedPostgres on port \(port)")
            guard let pid = state.pid else { return }
            let result = try pgCtl(["-m", "immediate", "stop"])
            if result.status != 0 {
                ChildProcess.send(SIGKILL, to: pid)
            }
            guard ChildProcess.waitForExit(pid, seconds: 15) else {
                throw EmbeddedStoreError(.stopFailed, "PostgreSQL \(pid) is still running:\n\(result.tail)")
            }
            state.pid = nil
            logger.info("PostgreSQL killed (immediate shutdown)", metadata: ["port": "\(port)"])
        }
    }

    /// Fast shutdown through `pg_ctl`; if that fails, SIGINT and then SIGKILL by PID. Waits until it is gone.
    private func shutDown(_ state: inout ServerState) throws {
        guard let pid = state.pid else { return }
        state.pid = nil
        let result = try pgCtl(["-m", "fast", "stop"])
        if result.status == 0 && ChildProcess.waitForExit(pid, seconds: 15) { return }
        logger.warning(
            "pg_ctl stop failed; signalling the postmaster", metadata: ["pid": "\(pid)", "output": "\(result.tail)"])
        ChildProcess.send(SIGINT, to: pid)
        if ChildProcess.waitForExit(pid, seconds: 15) { return }
        ChildProcess.send(SIGKILL, to: pid)
        guard ChildProcess.waitForExit(pid, seconds: 10) else {
            throw EmbeddedStoreError(.stopFailed, "PostgreSQL \(pid) survived SIGKILL")
        }
    }

    private func pgCtl(_ arguments: [String]) throws -> CommandRunner.Result {
        try CommandRunner.run(
            binDirectory + "/pg_ctl", ["-D", dataDirectory, "-w", "-t", "30"] + arguments, as: user, timeout: 40)
    }

    /// The full command line of `pg_ctl -D DIR arguments` as the server user, for the watchdog.
    private func pgCtlCommand(_ arguments: [String]) -> [String] {
        let (path, argv) = CommandRunner.commandLine(
            binDirectory + "/pg_ctl", ["-D", dataDirectory] + arguments, as: user)
        return [path] + argv
    }

    /// The first line of `postmaster.pid`.
    private func postmasterPID() -> pid_t? {
        ChildProcess.readSmallFile(dataDirectory + "/postmaster.pid")
            .flatMap { $0.split(separator: "\n").first }
            .flatMap { pid_t($0.trimmingWhitespace()) }
    }

    private static func readFile(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw EmbeddedStoreError(.systemError, "could not open \(path): \(ChildProcess.errorText(errno))")
        }
        defer { close(fd) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw EmbeddedStoreError(.systemError, "could not read \(path): \(ChildProcess.errorText(errno))")
            }
            if count == 0 { break }
            contents += buffer[..<count]
        }
        return String(decoding: contents, as: UTF8.self)
    }

    /// Replaces `path` with `text` (readable by the server user when we are root).
    private static func writeFile(_ path: String, _ text: String, owner: SystemUser?) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw EmbeddedStoreError(.systemError, "could not write \(path): \(ChildProcess.errorText(errno))")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + written }, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw EmbeddedStoreError(.systemError, "could not write \(path): \(ChildProcess.errorText(errno))")
            }
            written += count
        }
        try owner?.own(path)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }

    /// The text with `'` doubled, for a single-quoted PostgreSQL configuration value.
    func replacingSingleQuotes() -> String {
        split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''")
    }
}
