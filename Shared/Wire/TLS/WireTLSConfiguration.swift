import NIOCore
import NIOSSL

/// Mutual TLS for frame connections: each side presents its certificate and accepts only a peer whose certificate
/// chains to the configured CA. Host names are not checked (services are addressed by IP inside the cluster); the
/// CA is the trust boundary, so use a CA that signs only txad's internal services.
///
/// Files are PEM. The server refuses a peer without a certificate, with a certificate from another CA, or speaking
/// plain TCP; the client refuses a server it cannot verify.
public struct WireTLSConfiguration: Sendable, Hashable {
    /// This side's certificate (chain), PEM.
    public var certificateFile: String
    /// This side's private key, PEM.
    public var privateKeyFile: String
    /// The CA that signs every internal service's certificate, PEM.
    public var trustedCAFile: String

    /// Creates a configuration from three PEM files.
    public init(certificateFile: String, privateKeyFile: String, trustedCAFile: String) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.trustedCAFile = trustedCAFile
    }

    /// The server side's context (client certificates required).
    ///
    /// - Throws: `INVALID_ARGUMENT` naming the file that could not be loaded.
    func makeServerContext() throws(RPCError) -> NIOSSLContext {
        try makeContext(server: true)
    }

    /// The client side's context.
    func makeClientContext() throws(RPCError) -> NIOSSLContext {
        try makeContext(server: false)
    }

    private func makeContext(server: Bool) throws(RPCError) -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { NIOSSLCertificateSource.certificate($0) }
            let key = NIOSSLPrivateKeySource.privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem))
            var tls =
                server
                ? TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: key)
                : TLSConfiguration.makeClientConfiguration()
            if !server {
                tls.certificateChain = chain
                tls.privateKey = key
            }
            tls.trustRoots = .file(trustedCAFile)
            tls.certificateVerification = .noHostnameVerification
            tls.minimumTLSVersion = .tlsv12
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw RPCError(
                code: .invalidArgument,
                message: "internal TLS: cannot load certificate \(certificateFile), key \(privateKeyFile) or CA "
                    + "\(trustedCAFile): \(error)")
        }
    }
}
