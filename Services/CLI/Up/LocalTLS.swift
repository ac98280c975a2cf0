import EmbeddedStores

/// `txad up --tls`: a local CA under `<state>/tls` and the certificates it issues (kept across runs): one for the
/// gateway's HTTPS and one every service presents on the internal frame connections (mutual TLS).
struct LocalTLS {
    /// The CA certificate clients trust.
    let caFile: String
    /// `TXAD_INTERNAL_TLS_*` for every service (the gateway is the client of the other three).
    let internalEnvironment: [String: String]
    /// `TXAD_TLS_*` for the gateway's HTTPS.
    let gatewayEnvironment: [String: String]

    static func caFile(state: String) -> String { state + "/tls/ca.pem" }

    /// Creates (or reuses) the CA and certificates.
    /// - Throws: `EmbeddedStoreError` without the `openssl` command or when it fails.
    static func make(state: String) throws -> LocalTLS {
        let authority = try LocalCertificateAuthority(directory: state + "/tls", name: "txad up local CA")
        let services = try authority.issue("internal")
        let gateway = try authority.issue("gateway")
        return LocalTLS(
            caFile: authority.certificateFile,
            internalEnvironment: [
                "TXAD_INTERNAL_TLS_CERT": services.certificateFile, "TXAD_INTERNAL_TLS_KEY": services.privateKeyFile,
                "TXAD_INTERNAL_TLS_CA": authority.certificateFile,
            ],
            gatewayEnvironment: [
                "TXAD_TLS_CERT_FILE": gateway.certificateFile, "TXAD_TLS_KEY_FILE": gateway.privateKeyFile,
            ])
    }
}
