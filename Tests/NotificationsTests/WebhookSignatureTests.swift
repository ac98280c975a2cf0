import Foundation
import Notifications
import TestSupport
import Testing

/// The signature checked against an independent HMAC-SHA256: Python's `hmac` module in a child process.
@Suite struct WebhookSignatureTests {
    /// Hex HMAC-SHA256 of `"<t>.<body>"` computed by python3 from a file holding the exact body bytes.
    static func pythonSignature(body: [UInt8], timestamp: Int64, secret: String) async throws -> String {
        let path = NSTemporaryDirectory() + "txad-body-\(UUID().uuidString)"
        try Data(body).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await Command.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import hmac,hashlib,sys; body=open(sys.argv[1],'rb').read(); "
                    + "print(hmac.new(sys.argv[2].encode(), sys.argv[3].encode()+b'.'+body, hashlib.sha256).hexdigest())",
                path, secret, String(timestamp),
            ])
        #expect(result.status == 0)
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func everyV1MatchesPythonHMAC() async throws {
        let body = Array(#"{"id":"evt-1","type":"alert.created","data":{"note":"ünïcode \"quoted\""}}"#.utf8)
        let secrets = ["whsec_old", "whsec_new ünï"]
        let header = WebhookSignature.header(body: body, timestamp: 1_700_000_000, secrets: secrets)
        let parts = header.split(separator: ",").map(String.init)
        #expect(parts.first == "t=1700000000")
        let given = parts.dropFirst().map { $0.replacingOccurrences(of: "v1=", with: "") }
        #expect(given.count == 2)
        for (secret, signature) in zip(secrets, given) {
            #expect(signature == (try await Self.pythonSignature(body: body, timestamp: 1_700_000_000, secret: secret)))
        }
    }

    @Test func knownVector() {
        // RFC 4231 test case 2 adapted: key "Jefe", message "<t>." + body.
        let signature = WebhookSignature.signature(
            body: Array("what do ya want for nothing?".utf8), timestamp: 0, secret: "Jefe")
        #expect(signature.count == 64 && signature.allSatisfy(\.isHexDigit))
        // Python: hmac.new(b"Jefe", b"0.what do ya want for nothing?", hashlib.sha256).hexdigest()
        #expect(signature == "37f471929915ccd2cbbe79feb84ffcff4f2bb25e15fc41c2506687331ae179cc")
        #expect(
            WebhookSignature.signature(body: [], timestamp: 1, secret: "k")
                != WebhookSignature.signature(body: [], timestamp: 2, secret: "k"))
    }

    @Test func toleranceWindow() {
        let body = Array("{}".utf8)
        let header = WebhookSignature.header(body: body, timestamp: 1000, secrets: ["s"])
        #expect(WebhookSignature.verify(header: header, body: body, secret: "s", now: 1300, tolerance: 300))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: "s", now: 1301, tolerance: 300))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: "s", now: 699, tolerance: 300))
        #expect(!WebhookSignature.verify(header: "v1=abc", body: body, secret: "s", now: 1000))
    }
}
