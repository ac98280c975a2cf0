import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import NIOSSL

/// The gateway's HTTP server: plain HTTP/1.1, or HTTPS with HTTP/1.1 and HTTP/2 negotiated by ALPN.
enum GatewayHTTPS {
    /// The server builder for `https` (nil: plain HTTP).
    ///
    /// - Throws: when the certificate or key cannot be loaded (the message names the file).
    static func server(_ https: (certificateFile: String, privateKeyFile: String)?) throws -> HTTPServerBuilder {
        guard let https else { return .http1() }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(https.certificateFile).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: https.privateKeyFile, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            tls.minimumTLSVersion = .tlsv12
            return try .http2Upgrade(tlsConfiguration: tls)
        } catch {
            throw GatewayTLSError(
                description: "cannot serve HTTPS with \(https.certificateFile) and \(https.privateKeyFile): \(error)")
        }
    }
}

/// The gateway's certificate or key could not be loaded.
struct GatewayTLSError: Error, CustomStringConvertible {
    var description: String
}
