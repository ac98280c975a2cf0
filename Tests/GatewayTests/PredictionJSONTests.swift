import Domain
import Testing

@testable import GatewayService

@Suite struct PredictionJSONTests {
    private static let awkward = "q\"b\\s/é€😀\u{01}\u{1F}\n\r\t end"

    private func score(id: String = "tx-1", text: String = "amount is 41× the user's usual") -> Score {
        Score(
            transactionID: id, isolationForest: 0.625, autoencoder: 1, ensemble: 0.8125, isAnomaly: true,
            riskLevel: .high,
            reasons: [
                Reason(code: "AMOUNT_HIGH", feature: "amount_ratio_user", value: 41.5, text: text),
                Reason(code: "NEW_COUNTRY", feature: "new_country", value: 1, text: "first transaction in FR"),
            ],
            modelVersion: "v1")
    }

    private func members(_ bytes: [UInt8]) throws -> [String: JSONValue] {
        guard case .object(let members) = try JSONParser.parse(bytes) else {
            Issue.record("not an object")
            return [:]
        }
        return Dictionary(uniqueKeysWithValues: members)
    }

    @Test func rendersEveryFieldAsValidJSON() throws {
        let object = try members(PredictionJSON.render(score: score(), degraded: false, alertStatus: .recorded))
        #expect(object["transaction_id"] == .string("tx-1"))
        #expect(object["is_anomaly"] == .bool(true))
        #expect(object["risk_level"] == .string("high"))
        #expect(
            object["scores"]
                == .object([("isolation_forest", .number(0.625)), ("autoencoder", .number(1)), ("ensemble", .number(0.8125))]))
        guard case .array(let reasons)? = object["reasons"] else {
            Issue.record("reasons missing")
            return
        }
        #expect(reasons.count == 2)
        #expect(
            reasons.first
                == .object([
                    ("code", .string("AMOUNT_HIGH")), ("feature", .string("amount_ratio_user")), ("value", .number(41.5)),
                    ("text", .string("amount is 41× the user's usual")),
                ]))
        #expect(object["model_version"] == .string("v1"))
        #expect(object["degraded"] == .bool(false))
        #expect(object["alert_status"] == .string("recorded"))
        #expect(object["cached"] == .bool(false))
    }

    @Test func supervisedScoreIsRenderedOnlyWhenPresent() throws {
        var labelled = score()
        labelled.supervised = 0.75
        let object = try members(PredictionJSON.render(score: labelled, degraded: false, alertStatus: .recorded))
        #expect(
            object["scores"]
                == .object([
                    ("isolation_forest", .number(0.625)), ("autoencoder", .number(1)), ("ensemble", .number(0.8125)),
                    ("supervised", .number(0.75)),
                ]))
    }

    @Test func escapesQuotesBackslashesAndControlCharactersAndKeepsUnicode() throws {
        let bytes = PredictionJSON.render(
            score: score(id: Self.awkward, text: Self.awkward), degraded: true, alertStatus: .queued)
        let object = try members(bytes)
        #expect(object["transaction_id"] == .string(Self.awkward))
        guard case .array(let reasons)? = object["reasons"], case .object(let first)? = reasons.first else {
            Issue.record("reasons missing")
            return
        }
        #expect(first.last?.1 == .string(Self.awkward))
        #expect(!bytes.contains(0x01) && !bytes.contains(0x0A))
        #expect(String(decoding: bytes, as: UTF8.self).contains("\\u0001\\u001f\\n\\r\\t"))
    }

    @Test func aCacheHitDiffersOnlyInTheCachedFlag() throws {
        let fresh = PredictionJSON.render(score: score(), degraded: false, alertStatus: .none)
        var cached = try members(PredictionJSON.markedCached(fresh))
        #expect(cached["cached"] == .bool(true))
        cached["cached"] = .bool(false)
        #expect(cached == (try members(fresh)))
    }

    @Test func cacheEntriesRoundTrip() throws {
        let prediction = CachedPrediction(
            riskLevel: .high, isAnomaly: true,
            json: PredictionJSON.render(score: score(text: Self.awkward + "|x|y"), degraded: false, alertStatus: .recorded))
        #expect(CachedPrediction(encoded: prediction.encoded()) == prediction)
        #expect(CachedPrediction(encoded: Array("claimed".utf8)) == nil)
        #expect(CachedPrediction(encoded: Array("v0|high|1|{}".utf8)) == nil)
    }
}
