/// A Redis reply (RESP2), as returned by `RedisClient.command` and `RedisClient.pipeline`.
public enum RedisValue: Sendable, Hashable {
    /// A simple string reply, e.g. `OK`, `PONG`, `QUEUED`.
    case status(String)
    /// An error reply, e.g. `ERR unknown command 'FOO'` or `NOSCRIPT …`. `command` throws these as
    /// `StoreError` `.serverError`; `pipeline` returns them in place.
    case error(String)
    /// An integer reply.
    case integer(Int64)
    /// A bulk string reply: arbitrary bytes.
    case bulk([UInt8])
    /// A nil reply: a missing key's `GET`, a `SET … NX` that did not set, a timed-out blocking pop.
    case null
    /// A multi-bulk reply.
    case array([RedisValue])

    /// The bytes of a bulk reply, nil for anything else.
    public var bytes: [UInt8]? {
        if case .bulk(let bytes) = self { return bytes }
        return nil
    }

    /// A bulk or status reply as UTF-8 text (invalid sequences repaired), nil for anything else.
    public var string: String? {
        switch self {
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        default: return nil
        }
    }

    /// An integer reply, or a bulk reply holding a decimal integer (what `GET` returns for a counter).
    public var int64: Int64? {
        switch self {
        case .integer(let value): return value
        case .bulk(let bytes): return Int64(String(decoding: bytes, as: UTF8.self))
        default: return nil
        }
    }

    /// The elements of an array reply, nil for anything else.
    public var array: [RedisValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is the nil reply.
    public var isNull: Bool { self == .null }

    /// The message of an error reply, nil for anything else.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}
