#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Checks an idle connection's socket before it is used, so a connection the server closed (restart, idle
/// timeout) is re-dialled *before* we send a command on it, rather than failing that command.
enum SocketProbe {
    /// Whether `fd` has input, EOF, a hang-up or an error pending — without blocking.
    ///
    /// An idle request/response connection has nothing to read; when it does, the server either closed it or sent
    /// an unsolicited message (PostgreSQL's "terminating connection due to administrator command"). Either way
    /// the safe move is a fresh connection.
    static func isReadableOrClosed(_ fd: Int32) -> Bool {
        guard fd >= 0 else { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&descriptor, 1, 0)
            if ready < 0 && errno == EINTR { continue }
            return ready != 0
        }
    }
}
