import Credentials
import Testing

@Suite("API keys")
struct APIKeyTests {
    @Test("generated keys have the prefix, 43 base62 characters, and differ")
    func generated() {
        let keys = (0..<200).map { _ in APIKey.generate() }
        #expect(Set(keys.map(\.text)).count == 200)
        for key in keys {
            #expect(key.text.hasPrefix("txad_live_"))
            #expect(key.text.count == 10 + 43)
            #expect(APIKey(key.text) == key)
        }
    }

    @Test("malformed keys are not parsed")
    func malformed() {
        let good = APIKey.generate().text
        #expect(APIKey(String(good.dropLast())) == nil)
        #expect(APIKey(good + "a") == nil)
        #expect(APIKey("txad_test_" + good.dropFirst(10)) == nil)
        #expect(APIKey(String(good.dropLast()) + "-") == nil)
        #expect(APIKey("") == nil)
    }

    @Test("the digest is SHA-256 hex and the description hides the secret")
    func digestAndDescription() {
        // SHA-256("abc"), FIPS 180-2 test vector.
        #expect(APIKey.digest(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let key = APIKey.generate()
        #expect(key.digest.count == 64)
        #expect(!key.description.contains(key.text))
        #expect(key.description.contains(key.hint))
    }
}
