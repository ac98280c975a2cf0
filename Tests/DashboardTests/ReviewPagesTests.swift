import Auth
import Foundation
import Testing

@testable import Dashboard

/// The review queue, alert log and alert pages from the review API's answers: rows, SLA text, paging links,
/// the API's field problems at their filters, the detail's history chart, deliveries and audit trail — and every
/// user-controlled string escaped.
@Suite struct ReviewPagesTests {
    let hostile = DashboardFixtures.hostile

    @Test func queueRowsSLAAndPaging() {
        let items = [
            ReviewFixtures.alert(id: "9", risk: "critical", ageSeconds: 1500, breached: true),
            ReviewFixtures.alert(id: "7", claimedBy: "erin"),
        ].joined(separator: ",")
        let reply = ReviewFixtures.reply(
            200, "{\"items\":[\(items)],\"total\":120,\"breached\":4,\"limit\":50,\"offset\":50}")
        let page = ReviewQueuePage(
            minRisk: "high", minAge: nil, reply: reply, csrfToken: "tok", idempotencyKey: "key")
        #expect(page.rows.map(\.alertID) == ["9", "7"])
        #expect(page.rows[0].sla == "breached 10 min ago")
        #expect(page.rows[1].sla == "5 min left")
        #expect(page.rows[1].claimedBy == "erin")
        #expect(page.total == "120" && page.breached == "4" && page.breachedAny)
        #expect(page.showing == "51–52 of 120")
        #expect(page.previous?.href == "/dashboard/reviews?min_risk=high")
        #expect(page.next?.href == "/dashboard/reviews?min_risk=high&offset=100")
        #expect(
            ReviewQueuePage.apiPath(minRisk: "high", minAge: "5", offset: nil)
                == "/reviews?min_risk=high&min_age_minutes=5&limit=50")
        let html = DashboardFixtures.page("reviews", page)
        #expect(html.contains("name=\"alert_id\" value=\"9\""))
        #expect(html.contains("<option value=\"high\" selected>"))
    }

    @Test func queueShowsTheAPIsFieldProblemAtItsFilter() {
        let reply = ReviewFixtures.reply(
            422, ReviewFixtures.invalid("min_age_minutes", "must be a whole number from 0 to 1000000"))
        let page = ReviewQueuePage(minRisk: nil, minAge: "soon", reply: reply, csrfToken: "t", idempotencyKey: "k")
        #expect(page.minAge.error == "min_age_minutes must be a whole number from 0 to 1000000")
        #expect(page.rows.isEmpty && page.problem != nil)
        let html = DashboardFixtures.page("reviews", page)
        #expect(html.contains("data-field-error=\"min_age_minutes\""))
        #expect(html.contains("value=\"soon\""))
    }

    @Test func logFiltersBecomeTheAPIsQueryAndCursorsPage() {
        let filters = AlertsLogPage.Filters(
            status: "confirmed_fraud", riskLevel: nil, userID: "u 7&x", since: "2026-12-03T09:30", until: nil,
            cursor: "c1")
        #expect(
            filters.apiPath
                == "/alerts?status=confirmed_fraud&user_id=u%207%26x&since=2026-12-03T09%3A30%3A00Z&cursor=c1&limit=50")
        let items = ReviewFixtures.alert(id: "3", status: "confirmed_fraud", decidedBy: "erin", note: "stolen card")
        let page = AlertsLogPage(
            filters: filters, reply: ReviewFixtures.reply(200, "{\"alerts\":[\(items)],\"next_cursor\":\"c2\"}"))
        #expect(page.rows.first?.decidedBy == "erin" && page.rows.first?.statusLabel == "fraud")
        #expect(page.rows.first?.note == "stolen card")
        #expect(
            page.nextPage
                == "/dashboard/alerts?status=confirmed_fraud&user_id=u%207%26x&since=2026-12-03T09%3A30&cursor=c2")
        #expect(page.firstPage == "/dashboard/alerts?status=confirmed_fraud&user_id=u%207%26x&since=2026-12-03T09%3A30")
        let html = DashboardFixtures.page("alerts", page)
        #expect(html.contains("<option value=\"confirmed_fraud\" selected>fraud</option>"))
    }

    @Test func logShowsABadTimeAtItsField() {
        let filters = AlertsLogPage.Filters(since: "yesterday")
        #expect(filters.apiPath == "/alerts?since=yesterday&limit=50")
        let reply = ReviewFixtures.reply(
            422,
            ReviewFixtures.invalid("since", "must be an RFC 3339 time such as 2024-05-01T13:45:10Z (encode + as %2B)"))
        let page = AlertsLogPage(filters: filters, reply: reply)
        #expect(page.since.error?.hasPrefix("since must be an RFC 3339 time") == true)
        #expect(DashboardFixtures.page("alerts", page).contains("data-field-error=\"since\""))
    }

    @Test func detailShowsHistoryDeliveriesAuditAndForms() {
        let page = AlertDetailPage(
            alertID: "7",
            reply: ReviewFixtures.reply(200, ReviewFixtures.detail(status: "confirmed_fraud", decidedBy: "erin")),
            analyst: "erin", csrfToken: "tok", idempotencyKey: "key-1", notice: "Decision recorded.")
        #expect(page.found && page.isDecided && !page.canClaim)
        #expect(page.recent.count == 2 && page.recent[1].isThisOne)
        #expect(page.historySVG.contains("<polyline") && page.historySVG.contains("this transaction"))
        #expect(page.deliveries.first?.failed == true)
        #expect(page.audit.map(\.text) == ["changed fraud → legitimate", "decided fraud"])
        let html = DashboardFixtures.page("alert", page)
        #expect(html.contains("name=\"idempotency_key\" value=\"key-1\""))
        #expect(html.contains("name=\"override\""))
        #expect(html.contains("data-notice"))
        #expect(!html.contains("/claim\""))  // decided: no claim form
    }

    @Test func pendingDetailOffersClaimAndKeepsARefusedForm() {
        let refusal = ReviewFixtures.reply(422, ReviewFixtures.invalid("decision", "is required"))
        let page = AlertDetailPage(
            alertID: "7", reply: ReviewFixtures.reply(200, ReviewFixtures.detail()), analyst: "erin", csrfToken: "t",
            idempotencyKey: "k", submitted: (decision: "", note: "my note", override: false), refusal: refusal)
        #expect(page.canClaim && !page.isDecided)
        #expect(page.decisionError == "decision is required")
        let html = DashboardFixtures.page("alert", page)
        #expect(html.contains("action=\"/dashboard/alerts/7/claim\""))
        #expect(html.contains(">my note</textarea>"))
        #expect(html.contains("data-field-error=\"decision\""))
    }

    @Test func missingAlertSaysWhy() {
        let reply = ReviewFixtures.reply(
            404, "{\"type\":\"about:blank\",\"title\":\"Not found\",\"status\":404,\"detail\":\"no alert 99\"}")
        let page = AlertDetailPage(alertID: "99", reply: reply, analyst: "a", csrfToken: "t", idempotencyKey: "k")
        #expect(!page.found && page.problem == "Not found: no alert 99")
    }

    @Test func everyReviewStringIsEscaped() {
        let detail = AlertDetailPage(
            alertID: "7",
            reply: ReviewFixtures.reply(
                200, ReviewFixtures.detail(status: "legitimate", user: hostile, decidedBy: hostile, hostile: hostile)),
            analyst: "a", csrfToken: hostile, idempotencyKey: hostile,
            submitted: (decision: hostile, note: hostile, override: true),
            refusal: ReviewFixtures.reply(422, ReviewFixtures.invalid(hostile, hostile)))
        let pages: [(String, Any)] = [
            ("alert", detail),
            (
                "reviews",
                ReviewQueuePage(
                    minRisk: hostile, minAge: hostile,
                    reply: ReviewFixtures.reply(
                        200,
                        "{\"items\":[\(ReviewFixtures.alert(user: hostile, claimedBy: hostile, reason: hostile))],"
                            + "\"total\":1,\"breached\":0,\"limit\":50,\"offset\":0}"),
                    csrfToken: hostile, idempotencyKey: hostile, notice: hostile,
                    bulk: [.init(alertID: hostile, text: hostile, failed: true)])
            ),
            (
                "alerts",
                AlertsLogPage(
                    filters: .init(
                        status: hostile, riskLevel: hostile, userID: hostile, since: hostile, until: hostile),
                    reply: ReviewFixtures.reply(
                        200,
                        "{\"alerts\":[\(ReviewFixtures.alert(status: "legitimate", user: hostile, decidedBy: hostile, note: hostile))],"
                            + "\"next_cursor\":\(ReviewFixtures.q(hostile))}"))
            ),
        ]
        for (template, view) in pages {
            let html = DashboardFixtures.page(template, view)
            #expect(!html.contains("<script>alert"), "\(template)")
            #expect(!html.contains("<svg onload"), "\(template)")
            #expect(!html.contains("\"'</svg>"), "\(template)")
        }
        #expect(detail.historySVG.contains(DashboardFixtures.hostileEscaped))
    }

    @Test func templateLookupsByNameMatchEveryProperty() throws {
        let page = try #require(
            APIDocuments.decode(
                APIDocuments.AlertPage.self,
                from: Array(
                    ("{\"alerts\":[" + ReviewFixtures.alert(
                        id: "7", status: "confirmed_fraud", claimedBy: "ana", decidedBy: "bo",
                        createdAt: "2026-12-03T12:10:00.000Z")
                        + "],\"next_cursor\":null}").utf8)))
        let row = AlertRow(try #require(page.alerts.first))
        #expect(Mirror(reflecting: row).children.count == 14)
        try Self.expectLookupsMatchMirror(row, row.child(named:))
        let queue = ReviewQueuePage(
            minRisk: "high", minAge: nil,
            reply: ReviewFixtures.reply(
                200, "{\"items\":[\(ReviewFixtures.alert(id: "9"))],\"total\":120,\"breached\":4,\"limit\":50,\"offset\":50}"),
            csrfToken: "tok", idempotencyKey: "key")
        try Self.expectLookupsMatchMirror(queue, queue.child(named:))
        let log = AlertsLogPage(
            filters: AlertsLogPage.Filters(status: "pending", cursor: "c1"),
            reply: ReviewFixtures.reply(200, "{\"alerts\":[\(ReviewFixtures.alert(id: "3"))],\"next_cursor\":\"c2\"}"))
        try Self.expectLookupsMatchMirror(log, log.child(named:))
    }

    /// `lookup` (a `MustacheParent`'s `child(named:)`) answers every stored property as `Mirror` does (optionals
    /// unwrapped, nil for none) and nil for an unknown name.
    static func expectLookupsMatchMirror(
        _ value: Any, _ lookup: (String) -> Any?, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        for child in Mirror(reflecting: value).children {
            let label = try #require(child.label)
            let reflected = Mirror(reflecting: child.value)
            let expected: Any? = reflected.displayStyle == .optional ? reflected.children.first?.value : child.value
            let looked = lookup(label)
            #expect(looked.map { "\($0)" } == expected.map { "\($0)" }, "\(label)", sourceLocation: sourceLocation)
            #expect((looked == nil) == (expected == nil), "\(label)", sourceLocation: sourceLocation)
        }
        #expect(lookup("noSuchName") == nil, sourceLocation: sourceLocation)
    }

    @Test func timelineChartsTheAlertsServicesHourlyCounts() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2026-12-03T12:30:00Z"))
        let stats =
            "{\"predictions\":10,\"predictions_by_risk\":{},\"anomalies\":2,\"anomaly_rate\":0.2,\"alerts\":9,"
            + "\"alerts_by_risk\":{},\"review_backlog\":1,\"reviewed\":{\"fraud\":1,\"legitimate\":0},"
            + "\"alert_precision\":1,\"spooled\":0,\"review\":null,\"alerts_by_hour\":["
            + "{\"hour\":\"2026-12-01T09:00:00.000Z\",\"risk_level\":\"medium\",\"count\":5},"
            + "{\"hour\":\"2026-12-03T09:00:00.000Z\",\"risk_level\":\"critical\",\"count\":1},"
            + "{\"hour\":\"2026-12-03T12:00:00.000Z\",\"risk_level\":\"high\",\"count\":2}]}"
        let decoded = try #require(APIDocuments.decode(APIDocuments.Stats.self, from: Array(stats.utf8)))
        let timeline = AlertTimeline(counts: decoded.alertsByHour ?? [], now: now)
        #expect(timeline.svg.components(separatedBy: "<polyline").count - 1 == 2)  // high and critical; medium is too old
        #expect(timeline.svg.contains("#9b1c1c") && timeline.svg.contains("#d55e00"))
        #expect(timeline.note == "3 alerts in the last 24 hours.")
        let page = OverviewPage(
            stats: DashboardReply(status: 200, body: Array(stats.utf8)), model: DashboardReply(status: 503, body: []),
            timeline: true, now: now)
        #expect(page.timelineSVG == timeline.svg && page.timelineNote == timeline.note)
        let withoutChart = OverviewPage(
            stats: DashboardReply(status: 200, body: Array(stats.utf8)), model: DashboardReply(status: 503, body: []))
        #expect(withoutChart.timelineSVG.isEmpty)
    }

    @Test func overviewShowsSLAAndDeliveries() {
        let stats =
            "{\"predictions\":10,\"predictions_by_risk\":{\"low\":8,\"medium\":1,\"high\":1,\"critical\":0},"
            + "\"anomalies\":2,\"anomaly_rate\":0.2,\"alerts\":2,\"alerts_by_risk\":{\"low\":0,\"medium\":1,\"high\":1,"
            + "\"critical\":0},\"review_backlog\":1,\"reviewed\":{\"fraud\":1,\"legitimate\":0},\"alert_precision\":1,"
            + "\"spooled\":0,\"review\":{\"decided\":{\"fraud\":1,\"legitimate\":0},\"precision\":1,"
            + "\"false_positive_rate\":0,\"backlog_by_risk\":{\"low\":0,\"medium\":1,\"high\":0,\"critical\":0},"
            + "\"time_to_decision_seconds\":{\"median\":95,\"p90\":null},\"sla_breaches\":{\"pending_by_risk\":"
            + "{\"low\":0,\"medium\":0,\"high\":2,\"critical\":1},\"decided_late\":3},\"deliveries\":{\"slack\":"
            + "{\"delivered\":4,\"failed\":1}},\"dead_letters\":1,\"overrides\":0}}"
        let page = OverviewPage(
            stats: ReviewFixtures.reply(200, stats), model: ReviewFixtures.reply(503, "{}"))
        let cards = Dictionary(uniqueKeysWithValues: page.reviewCards.map { ($0.key, $0) })
        #expect(cards["sla_breached_pending"]?.value == "3")
        #expect(cards["sla_breached_pending"]?.hint == "1 critical, 2 high")
        #expect(cards["sla_decided_late"]?.value == "3")
        #expect(cards["time_to_decision"]?.value == "1 min" && cards["time_to_decision"]?.hint == "median; p90 —")
        #expect(page.deliveries.first?.states == "delivered 4 · failed 1" && page.deliveries.first?.failing == true)
        #expect(page.refreshJSON.contains("\"dead_letters\":\"1\""))
    }

    @Test func modelComparisonFromTheRegistry() {
        let body =
            "{\"versions\":[{\"version\":\"v2\",\"stage\":\"canary\",\"canary_share\":0.1,\"created\":\"c\","
            + "\"registered_by\":\"alice\",\"registered_at\":\"2026-12-03T09:00:00Z\",\"approved_by\":null,"
            + "\"approved_at\":null,\"checksum\":\"x\",\"bundle_bytes\":1,\"data_digest\":\"d\",\"mlflow_run_id\":null,"
            + "\"holdout\":{\"roc_auc\":0.91,\"pr_auc\":0.55}}]}"
        let comparison = ModelComparison(reply: ReviewFixtures.reply(200, body))
        #expect(comparison.versions.first?.canary == "10.0 %" && comparison.versions.first?.rocAUC == "0.910")
        #expect(comparison.aucSVG.contains("v2 ROC"))
        #expect(ModelComparison(reply: ReviewFixtures.reply(403, "{}")).note?.contains("role admin") == true)
        #expect(ModelComparison(reply: ReviewFixtures.reply(503, "{}")).note?.contains("DATABASE_URL") == true)
    }
}
