#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The unprivileged account PostgreSQL runs as when we are root (PostgreSQL refuses to run as root).
struct SystemUser: Sendable {
    /// The account name, e.g. `postgres`.
    var name: String
    /// Its user id.
    var uid: uid_t
    /// Its primary group id.
    var gid: gid_t
    /// Absolute path of `runuser`, which runs a command as this user.
    var runuser: String

    /// The account to switch to: `name` when we run as root, nil (run as ourselves) otherwise.
    static func forServer(named name: String) throws -> SystemUser? {
        guard geteuid() == 0 else { return nil }
        guard let entry = getpwnam(name) else {
            throw EmbeddedStoreError(
                .missingDependency,
                "running as root, PostgreSQL must run as the system user '\(name)', which does not exist; "
                    + "install the Debian package 'postgresql' (it creates the user) or create the user")
        }
        guard let runuser = Executables.find("runuser", in: ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]) else {
            throw EmbeddedStoreError(
                .missingDependency, "'runuser' not found; install the Debian package 'util-linux'")
        }
        return SystemUser(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid, runuser: runuser)
    }

    /// Gives `path` to this user (the server must own its data directory).
    func own(_ path: String) throws {
        guard chown(path, uid, gid) == 0 else {
            throw EmbeddedStoreError(
                .systemError, "chown \(path) to \(name) failed: \(ChildProcess.errorText(errno))")
        }
    }
}
