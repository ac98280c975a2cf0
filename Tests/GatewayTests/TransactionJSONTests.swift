import Domain
import Testing

@testable import GatewayService

@Suite struct TransactionJSONTests {
    private func decode(_ text: String) throws -> TransactionJSON.Outcome {
        TransactionJSON.decode(try JSONParser.parse(Array(text.utf8)))
    }

    @Test func decodesAValidTransaction() throws {
        let outcome = try decode(
            #"{"transaction_id":"t1","user_id":"u1","timestamp":"2024-05-01T13:45:10Z","amount":12.5,"#
                + #""channel":"online","latitude":40.7,"longitude":-74.0,"country":"US","merchant_category":"grocery"}"#)
        let t = try outcome.get()
        #expect(t.transactionID == "t1")
        #expect(t.timestampMillis == 1_714_571_110_000)
        #expect(t.currency == "USD")
        #expect(t.channel == .online)
        #expect(t.latitude == 40.7)
    }

    @Test func namesEveryBadField() throws {
        let outcome = try decode(
            #"{"transaction_id":"bad id!","timestamp":"yesterday","amount":"12","channel":"phone","latitude":1,"#
                + #""amout":3}"#)
        guard case .failure(let problems) = outcome else {
            Issue.record("expected problems")
            return
        }
        let fields = Set(problems.problems.map(\.field))
        #expect(fields == ["transaction_id", "user_id", "timestamp", "amount", "channel", "longitude", "amout"])
    }

    @Test func rangeRulesApplyAfterDecoding() throws {
        let outcome = try decode(
            #"{"transaction_id":"t","user_id":"u","timestamp":"2024-05-01T13:45:10Z","amount":-1,"latitude":95,"#
                + #""longitude":0}"#)
        guard case .failure(let problems) = outcome else {
            Issue.record("expected problems")
            return
        }
        #expect(Set(problems.problems.map(\.field)) == ["amount", "latitude"])
    }

    @Test func refusesNonObjects() throws {
        guard case .failure(let problems) = try decode("[1,2]") else {
            Issue.record("expected problems")
            return
        }
        #expect(problems.problems.first?.field == "(body)")
    }
}

@Suite struct JSONParserTests {
    @Test func parsesNestedDocuments() throws {
        let value = try JSONParser.parse(Array(#" {"a":[1,-2.5e3,true,null,"x\n\u00e9\ud83d\ude00"],"b":{}} "#.utf8))
        #expect(
            value
                == .object([
                    ("a", .array([.number(1), .number(-2500), .bool(true), .null, .string("x\né😀")])),
                    ("b", .object([])),
                ]))
    }

    @Test(arguments: [
        "", "{", "{\"a\":1,}", "[1,]", "{\"a\":1,\"a\":2}", "01", "1.", "\"\u{01}\"", "\"\\ud800\"", "nul",
        "{} {}", String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
    ])
    func refusesInvalidDocuments(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(text.utf8)) }
    }
}
