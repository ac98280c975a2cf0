import Foundation
import Testing

@testable import Dashboard

/// CSRF tokens, form parsing and fingerprinted assets.
@Suite struct DashboardSecurityTests {
    let csrf = CSRFProtection(key: Array(repeating: 7, count: 32))

    @Test func hmacMatchesRFC4231() {
        // RFC 4231 test case 2.
        let mac = HMAC.sha256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(
            mac.map { String(format: "%02x", $0) }.joined()
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func aSignedTokenVerifiesOnlyWithItsOwnFieldValue() {
        let token = csrf.newToken()
        #expect(token.count == 32)
        let cookie = csrf.cookieValue(token: token)
        #expect(csrf.verify(cookie: cookie, submitted: token))
        #expect(!csrf.verify(cookie: cookie, submitted: csrf.newToken()), "another token")
        #expect(!csrf.verify(cookie: cookie, submitted: nil), "no field")
        #expect(!csrf.verify(cookie: nil, submitted: token), "no cookie")
        #expect(
            !csrf.verify(cookie: token + "." + String(repeating: "0", count: 64), submitted: token), "forged signature")
        let other = CSRFProtection(key: Array(repeating: 8, count: 32))
        #expect(!other.verify(cookie: cookie, submitted: token), "signed with another key")
        #expect(csrf.newToken() != token)
    }

    @Test func urlEncodedFormsDecodePlusAndPercent() {
        let form = FormData.urlEncoded(Array("a=1&b=two+words&c=%3Cx%3E&d=&e&bad=%ZZ".utf8))
        #expect(form["a"] == "1")
        #expect(form["b"] == "two words")
        #expect(form["c"] == "<x>")
        #expect(form["d"] == "")
        #expect(form["e"] == "")
        #expect(form["bad"] == "%ZZ")
        #expect(form["missing"] == nil)
    }

    @Test func multipartBodiesGiveFieldsAndFiles() throws {
        let boundary = "----txadBoundary42"
        let body =
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.csv\"\r\n"
            + "Content-Type: text/csv\r\n\r\nh1,h2\r\n1,2\r\n\r\n--\(boundary)--\r\n"
        #expect(FormData.boundary(contentType: "multipart/form-data; boundary=\(boundary)") == boundary)
        #expect(FormData.boundary(contentType: "multipart/form-data; boundary=\"\(boundary)\"") == boundary)
        #expect(FormData.boundary(contentType: "text/csv") == nil)
        let form = try #require(FormData.multipart(Array(body.utf8), boundary: boundary))
        #expect(form["csrf_token"] == "abc")
        let file = try #require(form.part("file"))
        #expect(file.filename == "in.csv")
        #expect(file.text == "h1,h2\r\n1,2\r\n")
        #expect(FormData.multipart(Array("--\(boundary)\r\nno end".utf8), boundary: boundary) == nil)
        #expect(FormData.multipart(Array("junk".utf8), boundary: boundary) == nil)
    }

    @Test func assetsAreServedUnderTheirContentHash() throws {
        let assets = DashboardAssets(files: ["a.css": Array("body{}".utf8), "b.js": Array("1".utf8)])
        let url = assets.url("a.css")
        #expect(url.hasPrefix(DashboardAssets.prefix + "a."))
        #expect(url.hasSuffix(".css"))
        let name = String(url.dropFirst(DashboardAssets.prefix.count))
        let asset = try #require(assets.asset(fingerprintedName: name))
        #expect(asset.bytes == Array("body{}".utf8))
        #expect(asset.contentType == "text/css; charset=utf-8")
        #expect(assets.asset(fingerprintedName: "a.css") == nil, "only the fingerprinted name is served")
        let changed = DashboardAssets(files: ["a.css": Array("body{color:red}".utf8)])
        #expect(changed.url("a.css") != url, "new content, new URL")
        #expect(DashboardAssets.cacheControl.contains("immutable"))
    }

    @Test func theBundledTemplatesAndAssetsLoad() {
        #expect(DashboardFixtures.assets.url("dashboard.css").hasSuffix(".css"))
        #expect(DashboardFixtures.assets.url("dashboard.js").hasSuffix(".js"))
        let html = DashboardFixtures.page("message", ["title": "t", "text": "hello"])
        #expect(html.contains("hello"))
        #expect(html.contains(DashboardFixtures.assets.url("dashboard.css")))
        #expect(!html.contains("style="), "no inline style: the CSP forbids it")
        #expect(!html.contains("<script>"), "no inline script: the CSP forbids it")
    }

    @Test func theContentSecurityPolicyAllowsNothingInline() {
        let csp = DashboardRoutes<TestContext>.contentSecurityPolicy
        #expect(!csp.contains("unsafe-inline"))
        #expect(csp.contains("default-src 'none'"))
        #expect(csp.contains("script-src 'self'"))
        #expect(csp.contains("frame-ancestors 'none'"))
    }
}
