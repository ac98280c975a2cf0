import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What every connection of one server shares: the method table and the limits. Immutable.
struct ServerDispatcher: Sendable {
    /// Method names, NUL-separated in one array so a lookup copies nothing; `nameRanges[i]` is `handlers[i]`'s.
    private let names: [UInt8]
    private let nameRanges: [Range<Int>]
    private let handlers: [any ServerMethodHandler]
    let maximumFrameSize: Int
    let maximumConcurrentCallsPerConnection: Int
    let logger: Logger

    init(router: RPCRouter, maximumFrameSize: Int, maximumConcurrentCallsPerConnection: Int, logger: Logger) {
        var names: [UInt8] = []
        var ranges: [Range<Int>] = []
        var handlers: [any ServerMethodHandler] = []
        for (name, handler) in router.handlers.sorted(by: { $0.key < $1.key }) {
            let start = names.count
            names.append(contentsOf: name.utf8)
            ranges.append(start..<names.count)
            names.append(0)
            handlers.append(handler)
        }
        self.names = names
        self.nameRanges = ranges
        self.handlers = handlers
        self.maximumFrameSize = maximumFrameSize
        self.maximumConcurrentCallsPerConnection = maximumConcurrentCallsPerConnection
        self.logger = logger
    }

    /// The fully qualified names of the methods, sorted.
    var methodNames: [String] { handlers.map(\.fullName) }

    /// The handler whose full name equals `bytes` (the request's method, still in protobuf-c's buffer).
    ///
    /// A linear scan with `memcmp` over one byte array: a server has a handful of methods, and this avoids
    /// building a `String` per call just to hash it.
    func handler(forMethodBytes bytes: UnsafeRawBufferPointer) -> (any ServerMethodHandler)? {
        guard let base = bytes.baseAddress else { return nil }
        let index: Int? = names.withUnsafeBytes { all in
            guard let allBase = all.baseAddress else { return nil }
            for (i, range) in nameRanges.enumerated()
            where range.count == bytes.count && memcmp(allBase + range.lowerBound, base, bytes.count) == 0 {
                return i
            }
            return nil
        }
        return index.map { handlers[$0] }
    }
}
