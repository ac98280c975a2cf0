import Auth

/// The frame around every page: title, navigation for the caller's role, who is signed in, assets.
struct DashboardLayout {
    /// One navigation entry.
    struct Link {
        var label: String
        var href: String
        var current: Bool
    }

    /// The dashboard's pages in navigation order, with the role each needs (the routes' own ``RouteAccess``).
    static let pages: [(label: String, href: String, role: Role)] = [
        ("Overview", "/dashboard", .analyst),
        ("Review queue", "/dashboard/reviews", .analyst),
        ("Alerts log", "/dashboard/alerts", .analyst),
        ("Single prediction", "/dashboard/predict", .scorer),
        ("Batch analysis", "/dashboard/batch", .scorer),
        ("Model performance", "/dashboard/model", .analyst),
        ("Data explorer", "/dashboard/explorer", .analyst),
    ]

    var title: String
    var stylesheet: String
    var script: String
    var user: String
    var role: String
    var nav: [Link]
    var body: String
    /// Signed in through a dashboard session (offers sign-out).
    var hasSession: Bool

    init(title: String, current: String, principal: Principal?, assets: DashboardAssets, body: String) {
        self.title = title
        self.stylesheet = assets.url("dashboard.css")
        self.script = assets.url("dashboard.js")
        self.user = principal?.name ?? "anonymous"
        self.role = principal?.role.rawValue ?? "none"
        self.nav = Self.pages.filter { page in principal.map { $0.role.includes(page.role) } ?? false }.map {
            Link(label: $0.label, href: $0.href, current: $0.href == current)
        }
        self.body = body
        self.hasSession = principal?.method == .session
    }
}
