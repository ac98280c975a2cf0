import Domain
import Registry
import Testing

@testable import GatewayService

@Suite struct ModelRoutesTests {
    private func target(_ text: String) throws -> Result<PromotionTarget, ProblemDetails> {
        ModelRoutes.target(from: try JSONParser.parse(Array(text.utf8)), requestID: "r1")
    }

    @Test func promotionBodiesBecomeTargets() throws {
        #expect(try target(#"{"stage":"shadow"}"#).get() == .shadow)
        #expect(try target(#"{"stage":"champion"}"#).get() == .champion)
        #expect(try target(#"{"stage":"canary","canary_percent":10}"#).get() == .canary(share: 0.1))
    }

    @Test func invalidPromotionBodiesNameTheField() throws {
        let cases: [(String, String)] = [
            (#"{}"#, "stage"), (#"{"stage":"production"}"#, "stage"), (#"{"stage":3}"#, "stage"),
            (#"{"stage":"canary"}"#, "canary_percent"), (#"{"stage":"canary","canary_percent":100}"#, "canary_percent"),
            (#"{"stage":"canary","canary_percent":"10"}"#, "canary_percent"),
            (#"{"stage":"shadow","canary_percent":5}"#, "canary_percent"), (#"{"stage":"shadow","x":1}"#, "x"),
        ]
        for (body, field) in cases {
            guard case .failure(let problem) = try target(body) else {
                Issue.record("\(body) was accepted")
                continue
            }
            #expect(problem.status == 422, "\(body)")
            #expect(problem.errors.contains { $0.field == field }, "\(body): \(problem.errors)")
            #expect(problem.json().contains("\"request_id\":\"r1\""))
        }
    }

    @Test func registryErrorsMapToStatuses() {
        let statuses = [
            RegistryError.Code.invalidArgument: 422, .notFound: 404, .conflict: 409, .approvalRequired: 409,
            .selfApprovalRefused: 403, .corruptBundle: 409, .unavailable: 503, .storeFailure: 500,
        ]
        for (code, status) in statuses {
            let problem = ModelRoutes.problem(for: RegistryError(code, "why"), requestID: "r")
            #expect(problem.status == status, "\(code)")
            #expect(problem.detail == "why")
        }
    }
}
