import Domain
import Testing

@testable import GatewayService

@Suite struct DecisionInputTests {
    private func decode(_ text: String, bulk: Bool = false) throws -> Result<DecisionInput, DecisionProblems> {
        DecisionInput.decode(try JSONParser.parse(Array(text.utf8)), requireAlertID: bulk)
    }

    private func fields(_ result: Result<DecisionInput, DecisionProblems>) -> [String] {
        if case .failure(let problems) = result { return problems.problems.map(\.field) }
        return []
    }

    @Test func decodesADecision() throws {
        let input = try decode(#"{"decision":"legitimate","note":"customer called","override":true}"#).get()
        #expect(input.decision == .legitimate)
        #expect(input.note == "customer called")
        #expect(input.override)
        let request = input.request(alertID: "7", analyst: "ana", key: "k")
        #expect(request.alertID == "7")
        #expect(request.analyst == "ana")
        #expect(request.idempotencyKey == "k")
        #expect(request.override)
        #expect(try decode(#"{"decision":"fraud","note":null}"#).get().note == "")
    }

    @Test func namesEveryBadMember() throws {
        #expect(fields(try decode(#"{"note":"x"}"#)) == ["decision"])
        #expect(
            Set(fields(try decode(#"{"decision":"FRAUD","note":1,"override":"yes","who":"me"}"#)))
                == ["decision", "note", "override", "who"])
        #expect(fields(try decode(#"{"decision":"fraud","alert_id":"1"}"#)) == ["alert_id"])
        #expect(fields(try decode("[1]")) == ["(body)"])
        let long = String(repeating: "n", count: ReviewLimits.noteLength + 1)
        #expect(fields(try decode(#"{"decision":"fraud","note":"\#(long)"}"#)) == ["note"])
    }

    @Test func bulkItemsNeedAnAlertIDAndMayCarryAKey() throws {
        let input = try decode(#"{"alert_id":12,"decision":"fraud","idempotency_key":"a-1"}"#, bulk: true).get()
        #expect(input.alertID == "12")
        #expect(input.idempotencyKey == "a-1")
        #expect(try decode(#"{"alert_id":"0012","decision":"fraud"}"#, bulk: true).get().alertID == "12")
        #expect(fields(try decode(#"{"decision":"fraud"}"#, bulk: true)) == ["alert_id"])
        #expect(fields(try decode(#"{"alert_id":"x","decision":"fraud"}"#, bulk: true)) == ["alert_id"])
        #expect(fields(try decode(#"{"alert_id":1.5,"decision":"fraud"}"#, bulk: true)) == ["alert_id"])
        #expect(
            fields(try decode(#"{"alert_id":1,"decision":"fraud","idempotency_key":"a b"}"#, bulk: true))
                == ["idempotency_key"])
    }

    @Test func idempotencyKeysAreVisibleASCII() {
        #expect(DecisionInput.keyProblem("6f1c0a7e-1f7b-4a51-9f0e-2b1e6f2d8c11") == nil)
        #expect(DecisionInput.keyProblem("") == "is required")
        #expect(DecisionInput.keyProblem("has space") != nil)
        #expect(DecisionInput.keyProblem("é") != nil)
        #expect(DecisionInput.keyProblem(String(repeating: "k", count: 256)) != nil)
    }
}
