import Foundation
import Testing

@testable import EmbeddedStores
@testable import Stores

#if canImport(Glibc)
    import Glibc
#endif

@Suite("EmbeddedStores process lifecycle", .timeLimit(.minutes(3)))
struct EmbeddedStoresTests {
    @Test func redisStopsCompletelyAndCleansUp() async throws {
        let redis = try await EmbeddedRedis.start(logger: StoreFixtures.logger)
        let pid = try #require(redis.pid)
        #expect(redis.url == "redis://127.0.0.1:\(redis.port)")
        #expect(ChildProcess.commandName(pid) == "redis-server")
        #expect(FileManager.default.fileExists(atPath: redis.dataDirectory))
        try await StoreFixtures.withRedis(url: redis.url) { try await $0.ping() }

        try await redis.stop()
        #expect(!ChildProcess.isAlive(pid))
        #expect(!FileManager.default.fileExists(atPath: redis.dataDirectory))
        #expect(redis.isRunning == false)
        try await redis.stop()  // idempotent
        let error = await #expect(throws: EmbeddedStoreError.self) { try await redis.restart() }
        #expect(error?.code == .stopped)
    }

    @Test func postgresStopsCompletelyAndCleansUp() async throws {
        let postgres = try await EmbeddedPostgres.start(logger: StoreFixtures.logger)
        let pid = try #require(postgres.pid)
        #expect(postgres.url == "postgresql://postgres@127.0.0.1:\(postgres.port)/txad")
        #expect(ChildProcess.commandName(pid) == "postgres")
        try await StoreFixtures.withPostgres(url: postgres.url) { db async throws in
            #expect(try await db.query("SELECT current_database() AS db")[0].string("db") == "txad")
            #expect(try await db.query("SHOW fsync")[0].string("fsync") == "off")
        }
        try await postgres.stop()
        #expect(!ChildProcess.isAlive(pid))
        #expect(!FileManager.default.fileExists(atPath: postgres.dataDirectory))
        try await postgres.stop()
    }

    @Test func persistentRedisKeepsDataAcrossRuns() async throws {
        try await StoreFixtures.withTemporaryDirectory { directory in
            let options = EmbeddedRedis.Options(dataDirectory: directory + "/redis")
            let first = try await EmbeddedRedis.start(options, logger: StoreFixtures.logger)
            try await StoreFixtures.withRedis(url: first.url) { try await $0.set("kept", to: "yes") }
            try await first.stop()
            #expect(FileManager.default.fileExists(atPath: directory + "/redis"))

            let second = try await EmbeddedRedis.start(options, logger: StoreFixtures.logger)
            let value = try await StoreFixtures.withRedis(url: second.url) { try await $0.get("kept") }
            try await second.stop()
            #expect(value == Array("yes".utf8))
        }
    }

    @Test func persistentPostgresReusesItsCluster() async throws {
        try await StoreFixtures.withTemporaryDirectory { directory in
            // Running as root, the server user must be able to reach the directory.
            chmod(directory, 0o755)
            let options = EmbeddedPostgres.Options(dataDirectory: directory + "/pg", database: "persisted")
            let first = try await EmbeddedPostgres.start(options, logger: StoreFixtures.logger)
            try await StoreFixtures.withPostgres(url: first.url) { db in
                #expect(try await db.query("SHOW fsync")[0].string("fsync") == "on")
                try await db.execute("CREATE TABLE kept (note text)")
                try await db.execute("INSERT INTO kept VALUES ($1)", ["survives"])
            }
            try await first.stop()
            #expect(FileManager.default.fileExists(atPath: directory + "/pg/PG_VERSION"))

            let second = try await EmbeddedPostgres.start(options, logger: StoreFixtures.logger)
            let note = try await StoreFixtures.withPostgres(url: second.url) { db in
                try await db.query("SELECT note FROM kept")[0].string("note")
            }
            try await second.stop()
            #expect(note == "survives")
        }
    }

    @Test func missingBinariesNameTheirPackage() async throws {
        let redis = await #expect(throws: EmbeddedStoreError.self) {
            try await EmbeddedRedis.start(.init(executable: "/nonexistent/redis-server"), logger: StoreFixtures.logger)
        }
        #expect(redis?.code == .missingDependency)
        let onPath = #expect(throws: EmbeddedStoreError.self) {
            try Executables.require("txad-no-such-server", explicit: nil, package: "txad-no-such-package")
        }
        #expect(onPath?.message.contains("Debian package 'txad-no-such-package'") == true)
        let postgres = await #expect(throws: EmbeddedStoreError.self) {
            try await EmbeddedPostgres.start(.init(binDirectory: "/nonexistent"), logger: StoreFixtures.logger)
        }
        #expect(postgres?.code == .missingDependency)
        #expect(postgres?.message.contains("'postgresql'") == true)
    }

    @Test func invalidOptionsAreRefused() async throws {
        let database = await #expect(throws: EmbeddedStoreError.self) {
            try await EmbeddedPostgres.start(.init(database: "bad-name; DROP"), logger: StoreFixtures.logger)
        }
        #expect(database?.code == .invalidOptions)
        let port = await #expect(throws: EmbeddedStoreError.self) {
            try await EmbeddedRedis.start(.init(port: 70000), logger: StoreFixtures.logger)
        }
        #expect(port?.code == .invalidOptions)
        try await StoreFixtures.withTemporaryDirectory { directory in
            #expect(FileManager.default.createFile(atPath: directory + "/stray-file", contents: Data("x".utf8)))
            let notACluster = await #expect(throws: EmbeddedStoreError.self) {
                try await EmbeddedPostgres.start(.init(dataDirectory: directory), logger: StoreFixtures.logger)
            }
            #expect(notACluster?.code == .invalidOptions)
        }
    }

    @Test func aTakenPortIsReported() async throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let error = await #expect(throws: EmbeddedStoreError.self) {
            try await EmbeddedRedis.start(.init(port: port), logger: StoreFixtures.logger)
        }
        #expect(error?.code == .startFailed)
        #expect(error?.message.contains("in use") == true, "\(error?.message ?? "")")
    }

    @Test func watchdogStopsTheServerWhenItsOwnerDies() throws {
        let directory = try Directories.makeTemporary(prefix: "txad-watchdog-test")
        let sleeper = try ChildProcess.spawn("/bin/sleep", ["600"])
        let watchdog = try Watchdog.arm(
            .signal(pid: sleeper, commandName: "sleep", signal: "TERM"), removing: directory)
        watchdog.abandon()
        #expect(ChildProcess.waitForChild(sleeper, seconds: 30))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test func watchdogRunsItsStopCommandWhenItsOwnerDies() throws {
        let directory = try Directories.makeTemporary(prefix: "txad-watchdog-test")
        let sleeper = try ChildProcess.spawn("/bin/sleep", ["600"])
        let watchdog = try Watchdog.arm(.command(["/bin/kill", "-TERM", String(sleeper)]), removing: directory)
        watchdog.abandon()
        #expect(ChildProcess.waitForChild(sleeper, seconds: 30))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test func disarmedWatchdogLeavesEverythingAlone() throws {
        let directory = try Directories.makeTemporary(prefix: "txad-watchdog-test")
        let sleeper = try ChildProcess.spawn("/bin/sleep", ["600"])
        let watchdog = try Watchdog.arm(
            .signal(pid: sleeper, commandName: "sleep", signal: "TERM"), removing: directory)
        watchdog.disarm()
        #expect(!ChildProcess.reapIfExited(sleeper))
        #expect(FileManager.default.fileExists(atPath: directory))
        ChildProcess.send(SIGKILL, to: sleeper)
        #expect(ChildProcess.waitForChild(sleeper, seconds: 10))
        try FileManager.default.removeItem(atPath: directory)
    }

    @Test func watchdogNeverSignalsAStrangerWithTheSamePID() throws {
        let directory = try Directories.makeTemporary(prefix: "txad-watchdog-test")
        let sleeper = try ChildProcess.spawn("/bin/sleep", ["600"])
        // Claims the PID belongs to a redis-server: /proc/PID/comm says "sleep", so it must not be touched.
        let watchdog = try Watchdog.arm(
            .signal(pid: sleeper, commandName: "redis-server", signal: "TERM"), removing: directory)
        watchdog.abandon()
        #expect(!ChildProcess.reapIfExited(sleeper))
        #expect(!FileManager.default.fileExists(atPath: directory))
        ChildProcess.send(SIGKILL, to: sleeper)
        #expect(ChildProcess.waitForChild(sleeper, seconds: 10))
    }
}
