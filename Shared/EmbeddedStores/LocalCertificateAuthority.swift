import Foundation

/// A throwaway certificate authority made with the `openssl` command (Debian package `openssl`): for TLS tests and
/// `txad up`'s local TLS. Keys are ECDSA P-256; certificates carry `subjectAltName` for `127.0.0.1`, `::1` and
/// `localhost` and both server and client usages, so one certificate serves a service in either role.
public struct LocalCertificateAuthority: Sendable {
    /// A certificate and its key, PEM files.
    public struct Issued: Sendable, Hashable {
        /// The certificate.
        public var certificateFile: String
        /// The private key (mode 0600).
        public var privateKeyFile: String
    }

    /// The folder holding the CA's files.
    public let directory: String
    /// The CA's certificate (what peers trust).
    public let certificateFile: String
    private let keyFile: String
    private let openssl: String

    /// Creates a CA named `name` in `directory` (created if needed), or reuses the one already there.
    ///
    /// - Throws: ``EmbeddedStoreError`` `.missingDependency` without `openssl`, `.systemError` when it fails.
    public init(directory: String, name: String = "txad local CA") throws {
        openssl = try Executables.require("openssl", explicit: nil, package: "openssl")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        certificateFile = directory + "/ca.pem"
        keyFile = directory + "/ca.key"
        if !FileManager.default.fileExists(atPath: certificateFile) {
            try run([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", keyFile,
                "-out", certificateFile, "-days", "825", "-subj", "/CN=\(name)",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
        }
    }

    /// Issues (or returns the existing) certificate named `name`, valid for loopback addresses.
    public func issue(_ name: String) throws -> Issued {
        let issued = Issued(certificateFile: "\(directory)/\(name).pem", privateKeyFile: "\(directory)/\(name).key")
        if FileManager.default.fileExists(atPath: issued.certificateFile) { return issued }
        let request = "\(directory)/\(name).csr"
        let extensions = "\(directory)/\(name).ext"
        try Data(
            """
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature
            extendedKeyUsage=serverAuth,clientAuth
            subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost

            """.utf8
        ).write(to: URL(fileURLWithPath: extensions))
        try run([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", issued.privateKeyFile,
            "-out", request, "-subj", "/CN=\(name)",
        ])
        try run([
            "x509", "-req", "-in", request, "-CA", certificateFile, "-CAkey", keyFile, "-CAcreateserial",
            "-out", issued.certificateFile, "-days", "825", "-extfile", extensions,
        ])
        try? FileManager.default.removeItem(atPath: request)
        try? FileManager.default.removeItem(atPath: extensions)
        return issued
    }

    private func run(_ arguments: [String]) throws {
        let result = try CommandRunner.run(openssl, arguments, timeout: 30)
        guard result.status == 0 else {
            throw EmbeddedStoreError(.systemError, "openssl \(arguments.first ?? "") failed:\n\(result.tail)")
        }
        if FileManager.default.fileExists(atPath: keyFile) {
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
        }
    }
}
