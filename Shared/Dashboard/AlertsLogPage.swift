import Mustache

/// The alert log (`GET /alerts`): every alert, newest first, filtered by status, risk, user and time, paged with
/// the API's cursors; each row links to the alert's detail and audit trail.
struct AlertsLogPage {
    var status: FilterField
    var statusOptions: [FilterField.Option]
    var riskLevel: FilterField
    var riskOptions: [FilterField.Option]
    var userID: FilterField
    var since: FilterField
    var until: FilterField
    var problem: String?
    var rows: [AlertRow]
    var hasRows: Bool
    var firstPage: String?
    var nextPage: String?

    /// Page size of the log page.
    static let pageSize = 50

    /// The filters as the page's query names them.
    struct Filters {
        var status: String?
        var riskLevel: String?
        var userID: String?
        var since: String?
        var until: String?
        var cursor: String?

        /// The API query (`GET /alerts?…`), `datetime-local` times made RFC 3339.
        var apiPath: String {
            DashboardQuery.url(
                "/alerts",
                [
                    ("status", status), ("risk_level", riskLevel), ("user_id", userID),
                    ("since", DashboardQuery.time(since)), ("until", DashboardQuery.time(until)), ("cursor", cursor),
                    ("limit", String(AlertsLogPage.pageSize)),
                ])
        }

        /// This page's own URL with `cursor`.
        func pageURL(cursor: String?) -> String {
            DashboardQuery.url(
                "/dashboard/alerts",
                [
                    ("status", status), ("risk_level", riskLevel), ("user_id", userID), ("since", since),
                    ("until", until), ("cursor", cursor),
                ])
        }
    }

    init(filters: Filters, reply: DashboardReply) {
        let (general, byField) = FilterField.errors(in: reply)
        status = FilterField(name: "status", value: filters.status ?? "", error: byField["status"])
        statusOptions = [
            ("", "any"), ("pending", "pending"), ("confirmed_fraud", "fraud"), ("legitimate", "legitimate"),
        ]
        .map { FilterField.Option(value: $0.0, label: $0.1, selected: $0.0 == (filters.status ?? "")) }
        riskLevel = FilterField(name: "risk_level", value: filters.riskLevel ?? "", error: byField["risk_level"])
        riskOptions = FilterField.riskOptions(filters.riskLevel ?? "")
        userID = FilterField(name: "user_id", value: filters.userID ?? "", error: byField["user_id"])
        since = FilterField(name: "since", value: filters.since ?? "", error: byField["since"])
        until = FilterField(name: "until", value: filters.until ?? "", error: byField["until"])
        firstPage = filters.cursor == nil ? nil : filters.pageURL(cursor: nil)
        guard reply.status == 200, let page = APIDocuments.decode(APIDocuments.AlertPage.self, from: reply.body)
        else {
            problem = general ?? "Unexpected answer from GET /alerts"
            rows = []
            hasRows = false
            return
        }
        problem = nil
        rows = page.alerts.map(AlertRow.init)
        hasRows = !rows.isEmpty
        nextPage = page.nextCursor.map { filters.pageURL(cursor: $0) }
    }
}

/// Template lookups by name, not `Mirror`: a row's missing optional (`{{#decidedBy}}`, `{{#note}}`) is looked up here
/// next, once per row (see ``AlertRow``). Every stored property is listed (a test compares with `Mirror`).
extension AlertsLogPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "status": status
        case "statusOptions": statusOptions
        case "riskLevel": riskLevel
        case "riskOptions": riskOptions
        case "userID": userID
        case "since": since
        case "until": until
        case "problem": problem
        case "rows": rows
        case "hasRows": hasRows
        case "firstPage": firstPage
        case "nextPage": nextPage
        default: nil
        }
    }
}
