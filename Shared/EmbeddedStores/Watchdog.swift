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
/// our end, its `read` returns EOF, and it performs its `Action`, then removes the directory. It ignores terminal
/// and termination signals so a group-wide Ctrl-C cannot kill it before it acts.
///
/// This covers what `atexit` cannot: Foundation's `Process` has no parent-death signal, and `PR_SET_PDEATHSIG`
/// would fire when the spawning *thread* exits, which pool threads do. Each instance arms one as soon as its
/// throwaway directory exists, so a death at any point of startup leaves nothing behind.
struct Watchdog: Sendable {
    /// What to do when we die.
    enum Action: Sendable {
        /// Nothing (only the directory is removed).
        case none
        /// Send `signal` (a name: `TERM`) to `pid` if `/proc/PID/comm` still says `commandName` (so a reused PID
        /// is never hit), wait until it is gone (zombies count as gone), SIGKILL after 15 s.
        case signal(pid: pid_t, commandName: String, signal: String)
        /// After a second (so a start that was in progress has written its pid file), run this command,
        /// e.g. `pg_ctl -D DIR -m fast -w stop`, which finds the server by its data directory.
        case command([String])
    }

    /// The watchdog's PID (our child).
    let pid: pid_t
    /// Our end of the socket.
    private let socket: Int32

    /// Arguments: directory to remove (may be empty), action, action arguments.
    private static let script = """
        trap '' INT HUP QUIT TERM
        read -r line
        [ "$line" = disarm ] && exit 0
        dir=$1
        action=$2
        shift 2
        case "$action" in
        signal)
          # A process that was spawned a moment ago may still show its parent's name: exec wakes the spawning
          # parent before the kernel sets the new name. So look again for up to a second before deciding it is
          # somebody else's process.
          i=0
          while [ $i -lt 10 ] && [ "$(cat /proc/$1/comm 2>/dev/null)" != "$2" ] && [ -e /proc/$1 ]; do
            sleep 0.1
            i=$((i+1))
          done
          if [ "$(cat /proc/$1/comm 2>/dev/null)" = "$2" ]; then
            kill -s "$3" "$1" 2>/dev/null
            i=0
            while [ $i -lt 300 ]; do
              state=$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -c1)
              case "$state" in ''|Z|X) break;; esac
              [ $i -eq 150 ] && kill -s KILL "$1" 2>/dev/null
              sleep 0.1
              i=$((i+1))
            done
          fi;;
        command)
          sleep 1
          "$@" >/dev/null 2>&1;;
        esac
        [ -n "$dir" ] && rm -rf -- "$dir"
        exit 0
        """

    /// Starts a watchdog that performs `action` and removes `directory` (nil: keep the data) when we die.
    static func arm(_ action: Action, removing directory: String?) throws -> Watchdog {
        var fds: [Int32] = [0, 0]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else {
            throw EmbeddedStoreError(.systemError, "socketpair failed: \(ChildProcess.errorText(errno))")
        }
        defer { close(fds[1]) }
        var arguments = ["-c", script, "txad-watchdog", directory ?? ""]
        switch action {
        case .none:
            arguments.append("none")
        case .signal(let pid, let commandName, let signal):
            arguments += ["signal", String(pid), commandName, signal]
        case .command(let command):
            arguments += ["command"] + command
        }
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
