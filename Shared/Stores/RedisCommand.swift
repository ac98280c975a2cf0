/// A value that can be sent as one Redis command argument (a binary-safe bulk string).
///
/// Conformances: `String` (UTF-8), `[UInt8]` (verbatim bytes), `Int`, `Int64`, `UInt64` and `Double` (decimal
/// text, as Redis expects numbers).
public protocol RedisArgumentConvertible: Sendable {
    /// Appends this argument's bytes to `buffer`.
    func appendRedisArgument(to buffer: inout [UInt8])
}

extension String: RedisArgumentConvertible {
    /// The UTF-8 bytes.
    public func appendRedisArgument(to buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
}

extension Array: RedisArgumentConvertible where Element == UInt8 {
    /// The bytes as they are.
    public func appendRedisArgument(to buffer: inout [UInt8]) { buffer.append(contentsOf: self) }
}

extension Int: RedisArgumentConvertible {
    /// Decimal digits.
    public func appendRedisArgument(to buffer: inout [UInt8]) { buffer.append(contentsOf: String(self).utf8) }
}

extension Int64: RedisArgumentConvertible {
    /// Decimal digits.
    public func appendRedisArgument(to buffer: inout [UInt8]) { buffer.append(contentsOf: String(self).utf8) }
}

extension UInt64: RedisArgumentConvertible {
    /// Decimal digits.
    public func appendRedisArgument(to buffer: inout [UInt8]) { buffer.append(contentsOf: String(self).utf8) }
}

extension Double: RedisArgumentConvertible {
    /// Shortest round-tripping decimal; infinities as `inf` / `-inf`, which Redis accepts (e.g. `ZADD`).
    public func appendRedisArgument(to buffer: inout [UInt8]) { buffer.append(contentsOf: description.utf8) }
}

/// One Redis command: its name and arguments as binary-safe byte strings.
///
/// ```swift
/// let set = RedisCommand("SET", "user:42", payloadBytes, "PX", 60_000)
/// ```
/// Arguments are stored back to back in one buffer, so building a pipeline of thousands of commands makes two
/// allocations per command. `description` shows the command name and argument count only, never values (they may
/// be personal data).
public struct RedisCommand: Sendable, Hashable, CustomStringConvertible {
    /// All argument bytes, concatenated.
    private(set) var storage: [UInt8] = []
    /// End offset of each argument in `storage`.
    private(set) var ends: [Int] = []

    /// A command from its name and arguments.
    public init(_ name: String, _ arguments: any RedisArgumentConvertible...) {
        self.init(name, arguments: arguments)
    }

    /// A command from its name and an argument list built at run time.
    public init(_ name: String, arguments: [any RedisArgumentConvertible]) {
        append(name)
        for argument in arguments { append(argument) }
    }

    /// Appends one argument.
    public mutating func append(_ argument: some RedisArgumentConvertible) {
        argument.appendRedisArgument(to: &storage)
        ends.append(storage.count)
    }

    /// The number of arguments, the command name included.
    public var count: Int { ends.count }

    /// The arguments, the command name first.
    public var arguments: [[UInt8]] {
        ends.indices.map { Array(storage[(($0 == 0) ? 0 : ends[$0 - 1])..<ends[$0]]) }
    }

    /// The command name, upper-cased (`GET`, `EVALSHA`).
    public var name: String {
        String(decoding: storage[..<(ends.first ?? 0)], as: UTF8.self).uppercased()
    }

    /// `NAME (n arguments)`.
    public var description: String { "\(name) (\(count - 1) arguments)" }
}
