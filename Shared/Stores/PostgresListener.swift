import CLibPQ
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `LISTEN` on one PostgreSQL channel: notifications as an `AsyncStream`, on a dedicated connection and thread.
/// All libpq calls for notifications are in this file.
///
/// ```swift
/// let listener = PostgresListener(configuration: config, channel: "txad_model_registry")
/// for await event in listener.events() {
///     switch event {
///     case .listening: reloadEverything()          // (re)connected: notifications sent meanwhile were missed
///     case .notification(let payload): reload(payload)
///     }
/// }
/// ```
/// - The connection is dialled when the stream starts and re-dialled after a failure (0.5 s, doubling to 5 s);
///   each successful `LISTEN` yields `.listening`, so a consumer re-reads the state it follows — PostgreSQL does not
///   queue notifications for a disconnected listener.
/// - Terminating the stream (the consuming task ends or is cancelled) stops the thread within ~250 ms and closes
///   the connection.
public struct PostgresListener: Sendable {
    /// What the stream delivers.
    public enum Event: Sendable, Hashable {
        /// `LISTEN` succeeded on a fresh connection.
        case listening
        /// A `NOTIFY` on the channel, with its payload.
        case notification(payload: String)
    }

    private let configuration: PostgresClient.Configuration
    private let channel: String
    private let logger: Logger

    /// A listener for `channel` (lower-case letters, digits and `_`, at most 63 characters).
    ///
    /// - Throws: `.invalidArgument` for another channel name.
    public init(
        configuration: PostgresClient.Configuration, channel: String,
        logger: Logger = Logger(label: "txad.postgres.listen")
    ) throws {
        guard (1...63).contains(channel.utf8.count),
            channel.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F })
        else {
            throw StoreError(.invalidArgument, "channel '\(channel)' must be 1–63 of a-z, 0-9, _")
        }
        self.configuration = configuration
        self.channel = channel
        self.logger = logger
    }

    /// Starts listening; the returned stream ends only when its consumer terminates it.
    public func events() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(1024))
        let box = StopFlag()
        continuation.onTermination = { _ in box.stop() }
        let configuration = self.configuration
        let channel = self.channel
        let logger = self.logger
        let thread = Thread {
            Self.loop(
                configuration: configuration, channel: channel, logger: logger, flag: box,
                yield: { continuation.yield($0) })
            continuation.finish()
        }
        thread.name = "txad-pg-listen"
        thread.start()
        return stream
    }

    private static func loop(
        configuration: PostgresClient.Configuration, channel: String, logger: Logger, flag: StopFlag,
        yield: (Event) -> Void
    ) {
        var backoff = 0.5
        while !flag.isStopped {
            guard let handle = PQconnectdb(configuration.connectionString) else { return }
            defer { PQfinish(handle) }
            guard PQstatus(handle) == CONNECTION_OK, listen(handle, channel) else {
                logger.warning(
                    "LISTEN failed; retrying",
                    metadata: ["channel": "\(channel)", "error": "\(message(handle))", "retry_s": "\(backoff)"])
                sleep(seconds: backoff, flag: flag)
                backoff = min(backoff * 2, 5)
                continue
            }
            backoff = 0.5
            yield(.listening)
            let socket = PQsocket(handle)
            while !flag.isStopped {
                var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, 250)
                if ready < 0 && errno != EINTR { break }
                if ready <= 0 { continue }
                guard PQconsumeInput(handle) == 1 else { break }
                while let notification = PQnotifies(handle) {
                    let payload = notification.pointee.extra.map { String(cString: $0) } ?? ""
                    PQfreemem(notification)
                    yield(.notification(payload: payload))
                }
                if PQstatus(handle) != CONNECTION_OK { break }
            }
            if !flag.isStopped {
                logger.warning("LISTEN connection lost; reconnecting", metadata: ["channel": "\(channel)"])
                sleep(seconds: backoff, flag: flag)
            }
        }
    }

    private static func listen(_ handle: OpaquePointer, _ channel: String) -> Bool {
        // The channel was validated as a plain identifier, so quoting it is enough.
        let result = PQexec(handle, "LISTEN \"\(channel)\"")
        defer { PQclear(result) }
        return PQresultStatus(result) == PGRES_COMMAND_OK
    }

    private static func message(_ handle: OpaquePointer) -> String {
        PQerrorMessage(handle).map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    private static func sleep(seconds: Double, flag: StopFlag) {
        var remaining = seconds
        while remaining > 0 && !flag.isStopped {
            Thread.sleep(forTimeInterval: min(remaining, 0.25))
            remaining -= 0.25
        }
    }
}

/// The stop flag shared by the stream's termination handler and the listening thread.
private final class StopFlag: Sendable {
    private let stopped = Atomic<Bool>(false)

    var isStopped: Bool { stopped.load(ordering: .acquiring) }
    func stop() { stopped.store(true, ordering: .releasing) }
}
