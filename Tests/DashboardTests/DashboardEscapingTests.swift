import Auth
import Detection
import Foundation
import Testing

@testable import Dashboard

/// Every user-controlled string that reaches a page — in HTML text, in attributes, in server-made SVG — comes out
/// escaped: `<script>`, both quotes and `</svg>` cannot break out.
@Suite struct DashboardEscapingTests {
    let hostile = DashboardFixtures.hostile

    private func expectEscaped(_ html: String, _ what: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!html.contains("<script>alert"), what, sourceLocation: sourceLocation)
        #expect(!html.contains("<svg onload"), what, sourceLocation: sourceLocation)
        #expect(!html.contains("\"'</svg>"), what, sourceLocation: sourceLocation)
        #expect(html.contains(DashboardFixtures.hostileEscaped), what, sourceLocation: sourceLocation)
    }

    @Test func layoutEscapesThePrincipalName() {
        let html = DashboardFixtures.page("message", ["title": "t", "text": "x"])
        expectEscaped(html, "principal name in the header")
    }

    @Test func predictionFormEscapesValuesAndTheAPIsMessages() {
        var values: [String: String] = [:]
        for spec in PredictionPage.fieldSpecs { values[spec.name] = hostile }
        let problem =
            "{\"type\":\"about:blank\",\"title\":\"Invalid transaction\",\"status\":422,\"detail\":\"d\","
            + "\"errors\":[{\"field\":\"amount\",\"reason\":\(DashboardFixtures.quoted("must be a number, got " + hostile))},"
            + "{\"field\":\(DashboardFixtures.quoted(hostile)),\"reason\":\"is not a known field\"}]}"
        let page = PredictionPage(
            csrfToken: hostile, values: values, reply: DashboardReply(status: 422, body: Array(problem.utf8)))
        let html = DashboardFixtures.page("predict", page)
        expectEscaped(html, "form values, token, field errors, unknown fields")
        #expect(html.contains("value=\"\(DashboardFixtures.hostileEscaped)\""))
    }

    @Test func predictionResultEscapesIdsReasonsAndVersion() {
        let json = DashboardFixtures.predictionJSON(id: hostile, risk: hostile, reason: hostile, version: hostile)
        let page = PredictionPage(
            csrfToken: "t", values: [:], reply: DashboardReply(status: 200, body: Array(json.utf8)))
        let html = DashboardFixtures.page("predict", page)
        expectEscaped(html, "prediction result")
        #expect(page.result?.transactionID == hostile)
    }

    @Test func overviewEscapesTheModelVersionAndProblems() {
        let model =
            "{\"version\":\(DashboardFixtures.quoted(hostile)),\"created\":\"c\",\"threshold\":0.5,"
            + "\"weights\":{\"isolation_forest\":0.5,\"autoencoder\":0.5}}"
        let problem =
            "{\"title\":\"Service unavailable\",\"status\":503,\"detail\":\(DashboardFixtures.quoted(hostile))}"
        let page = OverviewPage(
            stats: DashboardReply(status: 503, body: Array(problem.utf8)),
            model: DashboardReply(status: 200, body: Array(model.utf8)))
        expectEscaped(DashboardFixtures.page("overview", page), "overview")
        #expect(
            !page.refreshJSON.contains("<script>"),
            "refresh JSON escapes for a JSON string, text is set with textContent")
    }

    @Test func batchPageEscapesFileNamesIdsReasonsAndLineErrors() throws {
        let body =
            "{\"results\":[\(DashboardFixtures.predictionJSON(id: hostile, risk: "low", reason: hostile))],"
            + "\"errors\":[{\"line\":3,\"problems\":[{\"field\":\(DashboardFixtures.quoted(hostile)),"
            + "\"reason\":\(DashboardFixtures.quoted(hostile))}]}],"
            + "\"summary\":{\"total\":2,\"scored\":1,\"anomalies\":1,\"by_risk\":{\"low\":1,\"medium\":0,\"high\":0,\"critical\":0}}}"
        let document = try #require(APIDocuments.decode(APIDocuments.Batch.self, from: Array(body.utf8)))
        let batch = BatchResultStore.Batch(
            id: "abc", owner: "o", filename: hostile, created: Date(), document: document)
        let page = BatchPage(
            csrfToken: hostile, limits: DashboardLimits(maximumBatchItems: 10, maximumBatchBytes: 100), batch: batch,
            sort: hostile, order: hostile, page: hostile)
        expectEscaped(DashboardFixtures.page("batch", page), "batch page")
    }

    @Test func explorerEchoesItsInputsEscaped() {
        let page = ExplorerPage(size: hostile, seed: hostile, anomalyRate: hostile)
        #expect(!page.generated)
        expectEscaped(DashboardFixtures.page("explorer", page), "explorer form")
    }

    @Test func modelPageEscapesManifestStringsInHTMLAndSVG() throws {
        var manifest = DashboardFixtures.outcome.bundle.manifest
        manifest.version = hostile
        manifest.trainingData.file = hostile
        var evaluation = try #require(manifest.evaluation)
        evaluation["ensemble"]?.recallByType[hostile] = 0.5
        manifest.evaluation = evaluation
        let ensembleCurves = manifest.evaluationCurves?["ensemble"]
        manifest.evaluationCurves?[hostile] = ensembleCurves
        manifest.evaluation?[hostile] = evaluation["ensemble"]
        let page = ModelPerformancePage(model: DashboardFixtures.modelInfoReply(manifest))
        #expect(page.problem == nil)
        let html = DashboardFixtures.page("model", page)
        expectEscaped(html, "model page")
        #expect(page.recallSVG?.contains(DashboardFixtures.hostileEscaped) == true, "anomaly type in the recall chart")
        #expect(page.rocSVG.contains(DashboardFixtures.hostileEscaped), "model name in the ROC legend")
    }

    @Test func chartsEscapeLabels() {
        let svg = EvaluationCharts.bars(
            [EvaluationCharts.Bar(label: hostile, value: 1, valueText: hostile, color: hostile)], title: hostile)
        #expect(!svg.contains("<script>"))
        #expect(!svg.dropLast("</svg>".count).contains("</svg>"), "only the closing tag")
        #expect(svg.contains(DashboardFixtures.hostileEscaped))
    }
}
