import CHiredis
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One blocking hiredis connection. All hiredis calls of the package are in this file.
///
/// Safety: the `redisContext` pointer is created here, freed only in `deinit`, and never escapes. The pool only
/// touches an instance on its own threads under its slot's lock, so hiredis (not thread-safe) sees one thread
/// at a time. Commands go through `redisAppendCommandArgv` (hiredis 0.14's variadic `redisCommand` does not
/// import into Swift, and argv is binary-safe with no format-string injection); a single command is a pipeline
/// of one, which is exactly what `redisCommandArgv` does inside hiredis.
final class RedisConnection: PooledConnection {
    private let context: UnsafeMutablePointer<redisContext>
    private let commandTimeout: Duration
    private(set) var isBroken = false

    private init(context: UnsafeMutablePointer<redisContext>, commandTimeout: Duration) {
        self.context = context
        self.commandTimeout = commandTimeout
    }

    deinit {
        redisFree(context)
    }

    static func open(_ configuration: RedisClient.Configuration, logger: Logger) throws -> RedisConnection {
        let endpoint = "\(configuration.host):\(configuration.port)"
        guard
            let context = redisConnectWithTimeout(
                configuration.host, Int32(configuration.port), timeval(configuration.connectTimeout))
        else {
            throw StoreError(.unavailable, "cannot connect to Redis at \(endpoint): hiredis could not allocate")
        }
        if context.pointee.err != 0 {
            let reason = errorText(context)
            redisFree(context)
            throw StoreError(.unavailable, "cannot connect to Redis at \(endpoint): \(reason)")
        }
        let connection = RedisConnection(context: context, commandTimeout: configuration.commandTimeout)
        guard redisSetTimeout(context, timeval(configuration.commandTimeout)) == REDIS_OK else {
            throw StoreError(.unavailable, "cannot set the command timeout on \(endpoint): \(errorText(context))")
        }
        var setup: [RedisCommand] = []
        if let password = configuration.password {
            setup.append(
                configuration.username.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password))
        }
        if configuration.database != 0 {
            setup.append(RedisCommand("SELECT", configuration.database))
        }
        for (command, reply) in zip(setup, try connection.execute(setup)) {
            if let message = reply.errorMessage {
                throw StoreError(
                    .invalidConfiguration, "Redis at \(endpoint) refused \(command.name): \(message)")
            }
        }
        return connection
    }

    func prepareForUse() -> Bool {
        !isBroken && !SocketProbe.isReadableOrClosed(context.pointee.fd)
    }

    /// Sends every command, then reads one reply per command (one round trip for the whole batch).
    ///
    /// An I/O error or timeout marks the connection broken and throws `.unavailable`.
    func execute(_ commands: [RedisCommand]) throws -> [RedisValue] {
        for command in commands {
            try append(command)
        }
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
                isBroken = true
                throw StoreError(.unavailable, "Redis connection failed: \(ioErrorText())")
            }
            defer { freeReplyObject(raw) }
            replies.append(Self.value(of: raw.assumingMemoryBound(to: redisReply.self)))
        }
        return replies
    }

    private func append(_ command: RedisCommand) throws {
        guard command.count > 0 else {
            throw StoreError(.invalidArgument, "a Redis command needs at least its name")
        }
        let status = command.storage.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                // An all-empty command has no storage; hiredis copies zero bytes from any non-nil pointer.
                let empty: CChar = 0
                return withUnsafePointer(to: empty) { fallback in
                    let base = chars.baseAddress.map { UnsafePointer($0) } ?? fallback
                    var argv: [UnsafePointer<CChar>?] = []
                    var lengths: [Int] = []
                    argv.reserveCapacity(command.count)
                    lengths.reserveCapacity(command.count)
                    var start = 0
                    for end in command.ends {
                        argv.append(base + start)
                        lengths.append(end - start)
                        start = end
                    }
                    return argv.withUnsafeMutableBufferPointer { argvBuffer in
                        redisAppendCommandArgv(context, Int32(command.count), argvBuffer.baseAddress, lengths)
                    }
                }
            }
        }
        guard status == REDIS_OK else {
            // Only fails when out of memory; commands appended before this one are still buffered.
            isBroken = true
            throw StoreError(.unavailable, "hiredis could not buffer \(command): \(Self.errorText(context))")
        }
    }

    private func ioErrorText() -> String {
        let text = Self.errorText(context)
        // hiredis reports SO_RCVTIMEO expiring as EAGAIN.
        if context.pointee.err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK) {
            return "no reply within \(commandTimeout) (\(text))"
        }
        return text
    }

    private static func value(of reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let node = reply.pointee
        let text = { () -> String in
            guard let characters = node.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: characters, count: node.len), as: UTF8.self)
        }
        switch node.type {
        case REDIS_REPLY_STRING:
            guard let characters = node.str else { return .bulk([]) }
            return .bulk(Array(UnsafeRawBufferPointer(start: characters, count: node.len)))
        case REDIS_REPLY_STATUS:
            return .status(text())
        case REDIS_REPLY_ERROR:
            return .error(text())
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(node.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ARRAY:
            guard let elements = node.element else { return .array([]) }
            return .array((0..<node.elements).map { index in elements[index].map(value(of:)) ?? .null })
        default:
            return .error("unsupported hiredis reply type \(node.type)")
        }
    }

    /// `redisContext.errstr`, a `char[128]` that Swift imports as a tuple.
    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: &context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

extension timeval {
    /// A `timeval` for a duration (hiredis timeouts).
    init(_ duration: Duration) {
        let parts = duration.components
        self.init(tv_sec: Int(parts.seconds), tv_usec: Int(parts.attoseconds / 1_000_000_000_000))
    }
}
