#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A tiny `/bin/sh` process that stops a server (and removes its throwaway directory) when our process dies
/// without stopping it: a crash, `SIGKILL`, a test runner killed by a timeout.
///
/// It reads a line from a socket whose other end only we hold (close-on-exec, so no other child inherits it).
/// When we stop the server ourselves we first write `disarm` and it exits quietly. When we die, the kernel closes
/// our end, its `read` returns EOF, and it signals the server, waits until it is gone (zombies count as gone) and
/// removes the directory. Before signalling it checks `/proc/PID/comm` still names the server, so a reused PID
/// is never hit. It ignores terminal and termination signals so a group-wide Ctrl-C cannot kill it before it acts.
/// This covers what `atexit` cannot: Foundation's `Process` has no parent-death signal, and `PR_SET_PDEATHSIG`
/// would fire when the spawning *thread* exits, which pool threads do.
struct Watchdog: Sendable {
    /// The watchdog's PID (our child).
    let pid: pid_t
    /// Our end of the socket.
    private let socket: Int32

    private static let script = """
        trap '' INT HUP QUIT TERM
        read -r line
        [ "$line" = disarm ] && exit 0
        if [ -n "$1" ] && [ "$(cat /proc/$1/comm 2>/dev/null)" = "$2" ]; then
          kill -s "$3" "$1" 2>/dev/null
          i=0
          while [ $i -lt 300 ]; do
            state=$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -c1)
            case "$state" in ''|Z|X) break;; esac
            [ $i -eq 150 ] && kill -s KILL "$1" 2>/dev/null
            sleep 0.1
            i=$((i+1))
          done
        fi
        [ -n "$4" ] && rm -rf -- "$4"
        exit 0
        """

    /// Starts a watchdog for `serverPID` (nil: no server is running, only the directory needs removing).
    ///
    /// - Parameters:
    ///   - commandName: the server's `/proc/PID/comm` (`redis-server`, `postgres`).
    ///   - signal: the signal name that stops it cleanly (`TERM` for Redis, `INT` — fast shutdown — for PostgreSQL).
    ///   - directory: a throwaway directory to remove afterwards, or nil to keep the data.
    static func arm(serverPID: pid_t?, commandName: String, signal: String, removing directory: String?) throws
        -> Watchdog
    {
        var fds: [Int32] = [0, 0]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else {
            throw EmbeddedStoreError(.systemError, "socketpair failed: \(ChildProcess.errorText(errno))")
        }
        defer { close(fds[1]) }
        let arguments = [
            "-c", script, "txad-watchdog", serverPID.map { String($0) } ?? "", commandName, signal, directory ?? "",
        ]
        do {
            let pid = try ChildProcess.spawn("/bin/sh", arguments, stdin: .descriptor(fds[1]))
            return Watchdog(pid: pid, socket: fds[0])
        } catch {
            close(fds[0])
            throw error
        }
    }

    /// Closes our end without disarming, exactly as our death would, so the watchdog acts; then reaps it.
    /// Lets tests check the watchdog without killing the test process.
    func abandon() {
        close(socket)
        _ = ChildProcess.waitForChild(pid, seconds: 30)
    }

    /// Tells the watchdog to exit without touching anything, and reaps it.
    func disarm() {
        let message = Array("disarm\n".utf8)
        _ = message.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        close(socket)
        if !ChildProcess.waitForChild(pid, seconds: 5) {
            ChildProcess.send(SIGKILL, to: pid)
            _ = ChildProcess.waitForChild(pid, seconds: 5)
        }
    }
}
