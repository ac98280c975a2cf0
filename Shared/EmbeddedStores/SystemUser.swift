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
    /// Its home directory (`/var/lib/postgresql` for Debian's `postgres`).
    var home: String

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
        return SystemUser(
            name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid, runuser: runuser,
            home: String(cString: entry.pointee.pw_dir))
    }

    /// Whether this user can enter `directory` (search permission on it and every parent), asked of the kernel by
    /// running `test -x` as the user rather than by reading modes, so ACLs and supplementary groups count.
    func canEnter(_ directory: String) -> Bool {
        guard let test = Executables.find("test", in: ["/usr/bin", "/bin"]) else { return false }
        let result = try? CommandRunner.run(test, ["-d", directory, "-a", "-x", directory], as: self, timeout: 10)
        return result?.status == 0
    }

    /// Gives `path` to this user (the server must own its data directory).
    func own(_ path: String) throws {
        guard chown(path, uid, gid) == 0 else {
            throw EmbeddedStoreError(
                .systemError, "chown \(path) to \(name) failed: \(ChildProcess.errorText(errno))")
        }
    }
}
