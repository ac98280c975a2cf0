import Domain
import Foundation
import Hummingbird

/// The Overview: headline numbers and review/delivery figures from `GET /stats`, the active model, and the alerts
/// per hour of the last day (also from `GET /stats`).
extension DashboardRoutes {
    /// The page's view; `timeline` adds the hourly chart (the HTML page; the refresh JSON leaves it out), drawn
    /// from the same `GET /stats` answer (its `alerts_by_hour`).
    func overviewPage(_ context: Context, timeline: Bool) async -> OverviewPage {
        async let stats = backend.stats(requestID: context.requestID)
        async let model = backend.modelInfo(requestID: context.requestID)
        return OverviewPage(
            stats: await stats, model: await model, timeline: timeline,
            refreshSeconds: configuration.overviewRefreshSeconds)
    }

    func overview(_ request: Request, _ context: Context) async -> Response {
        let page = await overviewPage(context, timeline: true)
        return render("Overview", current: "/dashboard", template: "overview", page, context, nil)
    }
}
