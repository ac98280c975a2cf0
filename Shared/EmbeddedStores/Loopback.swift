#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

import Foundation
import Synchronization

/// Loopback TCP helpers: picking a free port and asking a Redis server for `PONG`, with raw POSIX sockets so
/// that this module needs no Redis client.
public enum Loopback {
    /// A TCP port on 127.0.0.1 that was free a moment ago, never handed out before by this process.
    ///
    /// Chosen at random below the kernel's ephemeral range (`net.ipv4.ip_local_port_range`), so an outgoing
    /// connection of some other process cannot take it between this call and the server's `bind` — a port the
    /// kernel picks for `bind(0)` comes from that range and often did. Another process can still take it on purpose;
    /// callers retry with a new port when the server reports "Address already in use".
    public static func freePort() throws -> Int {
        let low = 10_000
        let high = max(low + 1_000, ephemeralRangeStart() - 1)
        for _ in 0..<500 {
            let port = Int.random(in: low...high)
            guard isFree(port) else { continue }
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
        return try kernelChosenPort()
    }

    /// Ports `freePort()` returned in this process.
    private static let handedOut = Mutex(Set<Int>())

    /// The first port of the kernel's ephemeral range (32768 when it cannot be read).
    private static func ephemeralRangeStart() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        guard let first = text.split(whereSeparator: \.isWhitespace).first.flatMap({ Int($0) }), first > 11_024
        else { return 32_768 }
        return first
    }

    /// Binds port 0 and returns the port the kernel chose (the fallback when no lower port is free).
    private static func kernelChosenPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw systemError("socket") }
        defer { close(fd) }
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw systemError("bind 127.0.0.1:0") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw systemError("getsockname") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether 127.0.0.1:`port` can be bound right now (nothing listens there).
    public static func isFree(_ port: Int) -> Bool {
        guard (1...65_535).contains(port) else { return false }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopbackAddress(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Whether a Redis server on 127.0.0.1:`port` answers an inline `PING` with `+PONG` within about a second.
    ///
    /// A server still loading its append-only file answers `-LOADING`, which counts as not ready.
    static func redisAnswersPing(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return false }
        let request = Array("PING\r\n".utf8)
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { return false }
        var reply = [UInt8](repeating: 0, count: 64)
        var received = 0
        while received < 7 {
            let count = reply.withUnsafeMutableBytes { buffer in
                buffer.baseAddress.map { recv(fd, $0 + received, buffer.count - received, 0) } ?? -1
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            received += count
            if reply[0] != UInt8(ascii: "+") { return false }
        }
        return reply[..<7].elementsEqual("+PONG\r\n".utf8)
    }

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    private static func systemError(_ call: String) -> EmbeddedStoreError {
        EmbeddedStoreError(.systemError, "\(call) failed: \(ChildProcess.errorText(errno))")
    }
}
