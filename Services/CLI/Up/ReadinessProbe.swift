import AsyncHTTPClient
import Foundation
import NIOSSL
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Polls an HTTP endpoint until it answers 200. HTTPS endpoints are checked against the CA given to
/// ``trust(caFile:)`` (`txad up --tls`).
enum ReadinessProbe {
    /// The client for HTTPS probes, made once by ``trust(caFile:)`` and kept for the process's life.
    private static let tlsClient = Mutex<HTTPClient?>(nil)

    /// Trusts the certificates `caFile` signed for later HTTPS probes.
    /// - Throws: `NIOSSLError` when the file is not a readable PEM certificate.
    static func trust(caFile: String) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
        let previous = tlsClient.withLock { current in
            defer { current = client }
            return current
        }
        try previous?.syncShutdown()
    }

    /// True once `url` answered 200 within `timeout`; false otherwise. Stops early when `keepWaiting` says so.
    static func waitUntilReady(
        _ url: String, timeout: Duration, keepWaiting: @Sendable () -> Bool = { true }
    ) async -> Bool {
        guard let endpoint = URL(string: url) else { return false }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, keepWaiting() {
            if await status(of: endpoint) == 200 { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// The HTTP status of a GET, nil when nothing answered.
    static func status(of url: URL) async -> Int? {
        if url.scheme == "https" {
            guard let client = tlsClient.withLock({ $0 }) else { return nil }
            let request = HTTPClientRequest(url: url.absoluteString)
            guard let response = try? await client.execute(request, timeout: .seconds(1)) else { return nil }
            return Int(response.status.code)
        }
        var request = URLRequest(url: url)
        request.timeoutInterval = 1
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return (response as? HTTPURLResponse)?.statusCode
    }
}
