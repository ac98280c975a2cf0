#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Finding the server binaries, with errors that name the Debian package to install.
enum Executables {
    /// The absolute path of `name` in `directories` (default: `$PATH`), or nil.
    static func find(_ name: String, in directories: [String]? = nil) -> String? {
        let searchPath =
            directories
            ?? (getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin")
            .split(separator: ":").map(String.init)
        for directory in searchPath where !directory.isEmpty {
            let candidate = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            if isExecutable(candidate) { return candidate }
        }
        return nil
    }

    /// `explicit` if given (it must be executable), else `name` on `$PATH`; the error names `package`.
    static func require(_ name: String, explicit: String?, package: String) throws -> String {
        if let explicit {
            guard isExecutable(explicit) else {
                throw EmbeddedStoreError(.missingDependency, "\(explicit) is not an executable file")
            }
            return explicit
        }
        guard let found = find(name) else {
            throw EmbeddedStoreError(
                .missingDependency,
                "'\(name)' was not found on PATH; install the Debian package '\(package)' "
                    + "(apt-get install \(package)) or set the executable path in the options")
        }
        return found
    }

    /// PostgreSQL's server binary directory: `explicit`, else `pg_config --bindir`, else the newest
    /// `/usr/lib/postgresql/*/bin` that has `initdb`. Stock Debian does not put `initdb`/`pg_ctl` on `PATH`.
    static func postgresBinDirectory(explicit: String?) throws -> String {
        var candidates: [String] = []
        if let explicit {
            candidates.append(explicit)
        } else {
            if let pgConfig = find("pg_config"),
                let result = try? CommandRunner.run(pgConfig, ["--bindir"], timeout: 10), result.status == 0
            {
                candidates.append(String(result.output.prefix { $0 != "\n" }))
            }
            candidates += debianPostgresVersions().map { "/usr/lib/postgresql/\($0)/bin" }
            if let initdb = find("initdb") {
                candidates.append(String(initdb.dropLast("/initdb".count)))
            }
        }
        for directory in candidates
        where ["initdb", "pg_ctl", "psql"].allSatisfy({ isExecutable("\(directory)/\($0)") }) {
            return directory
        }
        throw EmbeddedStoreError(
            .missingDependency,
            "PostgreSQL server binaries (initdb, pg_ctl, psql) were not found"
                + (explicit.map { " in \($0)" } ?? " (looked at `pg_config --bindir`, /usr/lib/postgresql/*/bin, PATH)")
                + "; install the Debian packages 'postgresql' and 'libpq-dev' (apt-get install postgresql libpq-dev)")
    }

    /// Installed Debian PostgreSQL major versions, newest first.
    private static func debianPostgresVersions() -> [Int] {
        guard let directory = opendir("/usr/lib/postgresql") else { return [] }
        defer { closedir(directory) }
        var versions: [Int] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let version = Int(name) { versions.append(version) }
        }
        return versions.sorted(by: >)
    }

    private static func isExecutable(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }
}
