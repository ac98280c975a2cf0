import Auth
import Detection
import Foundation
import Testing

@testable import Dashboard

/// The pages' view models: what each shows for the API's answers.
@Suite struct DashboardPagesTests {
    @Test func predictionRequestSendsNumbersAsNumbersAndLeavesEmptyFieldsOut() throws {
        let json = PredictionPage.requestJSON([
            "transaction_id": "t1", "user_id": " u1 ", "amount": "12.5", "latitude": "north", "currency": "",
            "channel": "pos",
        ])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(object["amount"] as? Double == 12.5)
        #expect(object["latitude"] as? String == "north", "the API, not the form, says it must be a number")
        #expect(object["user_id"] as? String == "u1")
        #expect(object["currency"] == nil)
        #expect(Set(object.keys) == ["transaction_id", "user_id", "amount", "latitude", "channel"])
    }

    @Test func theAPIsFieldProblemsAppearAtTheirFields() {
        let problem =
            "{\"type\":\"about:blank\",\"title\":\"Invalid transaction\",\"status\":422,\"detail\":\"d\","
            + "\"errors\":[{\"field\":\"amount\",\"reason\":\"must be a number, got string\"},"
            + "{\"field\":\"timestamp\",\"reason\":\"is required\"},{\"field\":\"colour\",\"reason\":\"is not a known field\"}]}"
        let page = PredictionPage(
            csrfToken: "t", values: ["amount": "lots"], reply: DashboardReply(status: 422, body: Array(problem.utf8)))
        let errors = Dictionary(uniqueKeysWithValues: page.fields.map { ($0.name, $0.errors) })
        #expect(errors["amount"] == ["amount must be a number, got string"])
        #expect(errors["timestamp"] == ["timestamp is required"])
        #expect(errors["user_id"] == [])
        #expect(page.problems == ["colour is not a known field"])
        #expect(page.result == nil)
        #expect(page.fields.first { $0.name == "amount" }?.value == "lots", "the form keeps what was typed")
        let html = DashboardFixtures.page("predict", page)
        #expect(html.contains("data-field-error=\"amount\">amount must be a number, got string<"))
    }

    @Test func aPredictionShowsBadgeScoresSentencesAndCachedFlag() throws {
        let json = DashboardFixtures.predictionJSON(id: "t-9", risk: "critical", cached: true)
        let page = PredictionPage(
            csrfToken: "t", values: [:], reply: DashboardReply(status: 200, body: Array(json.utf8)))
        let result = try #require(page.result)
        #expect(result.riskLevel == "critical")
        #expect(result.scores.map(\.value) == ["0.610", "0.720", "0.970"])
        #expect(result.reasons == ["Amount is 14.2× this user's average."])
        #expect(result.cached)
        let html = DashboardFixtures.page("predict", page)
        #expect(html.contains("data-risk=\"critical\""))
        #expect(html.contains("data-cached=\"true\""))
    }

    @Test func anUnavailableServiceIsAFormProblem() {
        let problem = "{\"title\":\"Service unavailable\",\"status\":503,\"detail\":\"inference is unreachable\"}"
        let page = PredictionPage(
            csrfToken: "t", values: [:], reply: DashboardReply(status: 503, body: Array(problem.utf8)))
        #expect(page.problems == ["Service unavailable: inference is unreachable"])
    }

    @Test func overviewFormatsStatsAndRefreshesTheSameNumbers() throws {
        let stats =
            "{\"predictions\":1234567,\"predictions_by_risk\":{\"low\":1200000,\"medium\":30000,\"high\":4000,"
            + "\"critical\":567},\"anomalies\":61728,\"anomaly_rate\":0.05,\"alerts\":34567,\"alerts_by_risk\":{\"low\":0,"
            + "\"medium\":30000,\"high\":4000,\"critical\":567},\"review_backlog\":321,\"reviewed\":{\"fraud\":10,"
            + "\"legitimate\":30},\"alert_precision\":0.25,\"spooled\":0}"
        let model =
            "{\"version\":\"v7\",\"created\":\"2026-01-01T00:00:00Z\",\"threshold\":0.5,"
            + "\"weights\":{\"isolation_forest\":0.5,\"autoencoder\":0.5}}"
        let page = OverviewPage(
            stats: DashboardReply(status: 200, body: Array(stats.utf8)),
            model: DashboardReply(status: 200, body: Array(model.utf8)))
        let cards = Dictionary(uniqueKeysWithValues: page.cards.map { ($0.key, $0.value) })
        #expect(cards["predictions"] == "1,234,567")
        #expect(cards["anomaly_rate"] == "5.0 %")
        #expect(cards["review_backlog"] == "321")
        #expect(page.alertsByRisk.map(\.level) == ["critical", "high", "medium", "low"])
        #expect(page.modelVersion == "v7")
        let refresh = try #require(
            try JSONSerialization.jsonObject(with: Data(page.refreshJSON.utf8)) as? [String: Any])
        let values = try #require(refresh["stats"] as? [String: String])
        #expect(values["predictions"] == "1,234,567")
        #expect(values["alerts_critical"] == "567")
        #expect(refresh["model_version"] as? String == "v7")
        let html = DashboardFixtures.page("overview", page)
        #expect(html.contains("data-stat=\"alerts_critical\">567<"))
    }

    @Test func batchTableSortsPaginatesAndListsLineErrors() throws {
        let results = (0..<120).map {
            DashboardFixtures.predictionJSON(
                id: String(format: "t%03d", $0), risk: $0 % 2 == 0 ? "low" : "high", ensemble: Double($0) / 200)
        }
        let body =
            "{\"results\":[\(results.joined(separator: ","))],\"errors\":[{\"line\":7,\"problems\":"
            + "[{\"field\":\"amount\",\"reason\":\"is required\"}]}],\"summary\":{\"total\":121,\"scored\":120,"
            + "\"anomalies\":120,\"by_risk\":{\"low\":60,\"medium\":0,\"high\":60,\"critical\":0}}}"
        let document = try #require(APIDocuments.decode(APIDocuments.Batch.self, from: Array(body.utf8)))
        let batch = BatchResultStore.Batch(id: "b1", owner: "o", filename: "f.csv", created: Date(), document: document)
        let limits = DashboardLimits(maximumBatchItems: 10_000, maximumBatchBytes: 16 << 20)
        let first = BatchPage(csrfToken: "t", limits: limits, batch: batch, sort: nil, order: nil, page: nil)
        #expect(first.rows.count == BatchPage.pageSize)
        #expect(first.rows.first?.transactionID == "t119", "default: highest ensemble score first")
        #expect(first.pages.map(\.label) == ["1", "2", "3"])
        #expect(first.errors.map(\.line) == ["line 7"])
        #expect(first.errors.map(\.problems) == ["amount is required"])
        let last = BatchPage(
            csrfToken: "t", limits: limits, batch: batch, sort: "transaction_id", order: "asc", page: "3")
        #expect(last.rows.map(\.transactionID) == (100..<120).map { String(format: "t%03d", $0) })
        let clamped = BatchPage(csrfToken: "t", limits: limits, batch: batch, sort: "nonsense", order: "x", page: "99")
        #expect(clamped.rows.count == 20, "an out-of-range page shows the last one")
        #expect(first.maximumItems == "10,000")
        #expect(first.maximumBytes == "16.0 MiB")
        let csv = String(decoding: try BatchPage.resultsCSV(document), as: UTF8.self).split(separator: "\n")
        #expect(csv.count == 121)
        #expect(
            csv[0]
                == "transaction_id,is_anomaly,risk_level,isolation_forest,autoencoder,ensemble,model_version,cached,reasons"
        )
        #expect(csv[1].hasPrefix("t000,true,low,0.61,0.72,0,v1,false,AMOUNT_HIGH"))
    }

    @Test func batchStoreKeepsBatchesForTheirOwnerOnly() async throws {
        let body =
            "{\"results\":[],\"errors\":[],\"summary\":{\"total\":0,\"scored\":0,\"anomalies\":0,\"by_risk\":{}}}"
        let document = try #require(APIDocuments.decode(APIDocuments.Batch.self, from: Array(body.utf8)))
        let store = BatchResultStore(capacity: 2)
        func add(_ filename: String) async throws -> String {
            try await store.add(body: Array(body.utf8), document: document, owner: "ann", filename: filename).get()
        }
        let a = try await add("a.csv")
        #expect(a.count == 32)
        #expect(try await store.batch(a, owner: "ann")?.filename == "a.csv")
        #expect(try await store.batch(a, owner: "bob") == nil)
        _ = try await add("b.csv")
        _ = try await add("c.csv")
        #expect(try await store.batch(a, owner: "ann") == nil, "the oldest goes when the store is full")
    }

    @Test func modelPageShowsMetricsCurvesAndThresholds() throws {
        let manifest = DashboardFixtures.outcome.bundle.manifest
        let page = ModelPerformancePage(model: DashboardFixtures.modelInfoReply(manifest))
        #expect(page.problem == nil)
        #expect(page.hasEvaluation)
        #expect(page.hasCurves)
        #expect(page.models == ["isolation_forest", "autoencoder", "ensemble"])
        #expect(page.metrics.first?.label == "ROC AUC")
        #expect(page.metrics.first?.cells.count == 3)
        #expect(page.confusions.count == 3)
        #expect(page.histogramSVGs.count == 3)
        #expect(page.rocSVG.contains("<polyline"))
        #expect(page.prSVG.contains("<polyline"))
        #expect(page.recallSVG?.contains("high_amount") == true)
        #expect(page.thresholds.contains { $0.label.hasPrefix("critical from") })
        let html = DashboardFixtures.page("model", page)
        #expect(html.contains("data-chart=\"roc\"><svg"))
    }

    @Test func aBundleWithoutCurvesStillShowsItsMetrics() throws {
        var manifest = DashboardFixtures.outcome.bundle.manifest
        manifest.evaluationCurves = nil
        let page = ModelPerformancePage(model: DashboardFixtures.modelInfoReply(manifest))
        #expect(page.hasEvaluation)
        #expect(!page.hasCurves)
        #expect(DashboardFixtures.page("model", page).contains("stores no curves"))
    }

    @Test func explorerGeneratesDistributionsByLabelAndValidatesItsInputs() {
        let page = ExplorerPage(size: "1000", seed: "7", anomalyRate: "0.1")
        #expect(page.generated)
        #expect(page.charts.count == 4)
        #expect(page.charts.allSatisfy { $0.contains("<rect") && $0.hasPrefix("<svg") })
        #expect(page.summary.first?.value == "1,000")
        let bad = ExplorerPage(size: "99999999", seed: "-1", anomalyRate: "0.9")
        #expect(!bad.generated)
        #expect(bad.sizeError != nil)
        #expect(bad.seedError != nil)
        #expect(bad.anomalyRateError != nil)
        let empty = ExplorerPage(size: nil, seed: nil, anomalyRate: nil)
        #expect(!empty.generated)
        #expect(empty.sizeError == nil)
    }

    @Test func navigationShowsOnlyThePagesTheRoleMayOpen() {
        let scorer = DashboardLayout(
            title: "t", current: "/dashboard/predict", principal: Principal(name: "s", role: .scorer, method: .apiKey),
            assets: DashboardFixtures.assets, body: "")
        #expect(scorer.nav.map(\.href) == ["/dashboard/predict", "/dashboard/batch"])
        #expect(scorer.nav.first?.current == true)
        let analyst = DashboardLayout(
            title: "t", current: "", principal: Principal(name: "a", role: .analyst, method: .apiKey),
            assets: DashboardFixtures.assets, body: "")
        #expect(analyst.nav.count == DashboardLayout.pages.count)
    }
}
