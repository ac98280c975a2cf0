import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What every connection of one server shares: the method table and the limits. Immutable.
struct ServerDispatcher: Sendable {
    private let methods: [(name: [UInt8], handler: any ServerMethodHandler)]
    let maximumFrameSize: Int
    let maximumConcurrentCallsPerConnection: Int
    let logger: Logger

    init(router: RPCRouter, maximumFrameSize: Int, maximumConcurrentCallsPerConnection: Int, logger: Logger) {
        self.methods = router.handlers.map { (Array($0.key.utf8), $0.value) }
        self.maximumFrameSize = maximumFrameSize
        self.maximumConcurrentCallsPerConnection = maximumConcurrentCallsPerConnection
        self.logger = logger
    }

    /// The fully qualified names of the methods, sorted.
    var methodNames: [String] { methods.map { String(decoding: $0.name, as: UTF8.self) }.sorted() }

    /// The handler whose full name equals `bytes` (the request's method, still in protobuf-c's buffer).
    ///
    /// A linear scan with `memcmp`: a server has a handful of methods, and this avoids building a `String` per
    /// call just to hash it.
    func handler(forMethodBytes bytes: UnsafeRawBufferPointer) -> (any ServerMethodHandler)? {
        guard let base = bytes.baseAddress else { return nil }
        for method in methods where method.name.count == bytes.count {
            let equal = method.name.withUnsafeBytes { name in
                name.baseAddress.map { memcmp($0, base, bytes.count) == 0 } ?? false
            }
            if equal { return method.handler }
        }
        return nil
    }
}
