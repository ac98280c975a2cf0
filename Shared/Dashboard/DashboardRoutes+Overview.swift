import Domain
import Foundation
import Hummingbird

/// The Overview: headline numbers and review/delivery figures from `GET /stats`, the active model, and the alerts
/// per hour of the last day.
extension DashboardRoutes {
    /// The page's view; `timeline` adds the hourly chart (the HTML page; the refresh JSON leaves it out).
    func overviewPage(_ context: Context, timeline: Bool) async -> OverviewPage {
        async let stats = backend.stats(requestID: context.requestID)
        async let model = backend.modelInfo(requestID: context.requestID)
        let chart = timeline ? await self.timeline(context) : nil
        return OverviewPage(
            stats: await stats, model: await model, timeline: chart,
            refreshSeconds: configuration.overviewRefreshSeconds)
    }

    func overview(_ request: Request, _ context: Context) async -> Response {
        let page = await overviewPage(context, timeline: true)
        return render("Overview", current: "/dashboard", template: "overview", page, context, nil)
    }

    /// The cached timeline (10 s), recounted from `GET /alerts` pages when stale.
    private func timeline(_ context: Context) async -> AlertTimeline? {
        guard let api else { return nil }
        return await timelines.timeline { since in
            var alerts: [APIDocuments.Alert] = []
            var cursor: String?
            repeat {
                let path = DashboardQuery.url(
                    "/alerts",
                    [
                        ("since", RFC3339.format(millis: Int64(since.timeIntervalSince1970 * 1000))),
                        ("limit", "200"), ("cursor", cursor),
                    ])
                let reply = await api.call(.get, path, context: context)
                guard reply.status == 200, let page = APIDocuments.decode(APIDocuments.AlertPage.self, from: reply.body)
                else { return alerts.isEmpty ? nil : (alerts, true) }
                alerts += page.alerts
                cursor = page.nextCursor
            } while cursor != nil && alerts.count < AlertTimeline.maximumAlerts
            return (alerts, cursor != nil)
        }
    }
}
