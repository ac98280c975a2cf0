import Mustache

/// The review queue (`GET /reviews`): pending alerts highest risk first with age and SLA state, filters, paging,
/// "claim next" and bulk decisions.
struct ReviewQueuePage {
    /// One link to another page of the queue.
    struct PageLink {
        var label: String
        var href: String
    }

    /// The outcome of one item of a bulk decision.
    struct BulkOutcome {
        var alertID: String
        var text: String
        var failed: Bool
    }

    var csrfToken: String
    var idempotencyKey: String
    var minRisk: FilterField
    var riskOptions: [FilterField.Option]
    var minAge: FilterField
    var problem: String?
    var notice: String?
    var rows: [AlertRow]
    var hasRows: Bool
    var total: String
    var breached: String
    var breachedAny: Bool
    var showing: String
    var previous: PageLink?
    var next: PageLink?
    var bulk: [BulkOutcome]
    var hasBulk: Bool

    /// Page size of the queue page.
    static let pageSize = 50

    /// The API query for the page's filters (`GET /reviews?…`).
    static func apiPath(minRisk: String?, minAge: String?, offset: String?) -> String {
        DashboardQuery.url(
            "/reviews",
            [("min_risk", minRisk), ("min_age_minutes", minAge), ("limit", String(pageSize)), ("offset", offset)])
    }

    init(
        minRisk: String?, minAge: String?, reply: DashboardReply, csrfToken: String, idempotencyKey: String,
        notice: String? = nil, bulk: [BulkOutcome] = []
    ) {
        self.csrfToken = csrfToken
        self.idempotencyKey = idempotencyKey
        self.notice = notice
        self.bulk = bulk
        hasBulk = !bulk.isEmpty
        let (general, byField) = FilterField.errors(in: reply)
        self.minRisk = FilterField(name: "min_risk", value: minRisk ?? "", error: byField["min_risk"])
        riskOptions = FilterField.riskOptions(minRisk ?? "")
        self.minAge = FilterField(name: "min_age_minutes", value: minAge ?? "", error: byField["min_age_minutes"])
        guard reply.status == 200, let queue = APIDocuments.decode(APIDocuments.Queue.self, from: reply.body) else {
            problem = general ?? "Unexpected answer from GET /reviews"
            rows = []
            hasRows = false
            total = "—"
            breached = "—"
            breachedAny = false
            showing = ""
            return
        }
        problem = nil
        rows = queue.items.map(AlertRow.init)
        hasRows = !rows.isEmpty
        total = DashboardFormat.integer(queue.total)
        breached = DashboardFormat.integer(queue.breached)
        breachedAny = queue.breached > 0
        showing =
            rows.isEmpty
            ? "nothing pending matches"
            : "\(queue.offset + 1)–\(queue.offset + rows.count) of \(DashboardFormat.integer(queue.total))"
        func link(_ label: String, _ offset: Int) -> PageLink {
            PageLink(
                label: label,
                href: DashboardQuery.url(
                    "/dashboard/reviews",
                    [
                        ("min_risk", minRisk), ("min_age_minutes", minAge),
                        ("offset", offset == 0 ? nil : String(offset)),
                    ]
                ))
        }
        previous = queue.offset > 0 ? link("← previous", max(queue.offset - queue.limit, 0)) : nil
        next = queue.offset + rows.count < queue.total ? link("next →", queue.offset + queue.limit) : nil
    }
}

/// Template lookups by name, not `Mirror`: a row's missing optional (`{{#claimedBy}}`) is looked up here next, once
/// per row (see ``AlertRow``). Every stored property is listed (a test compares with `Mirror`).
extension ReviewQueuePage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "csrfToken": csrfToken
        case "idempotencyKey": idempotencyKey
        case "minRisk": minRisk
        case "riskOptions": riskOptions
        case "minAge": minAge
        case "problem": problem
        case "notice": notice
        case "rows": rows
        case "hasRows": hasRows
        case "total": total
        case "breached": breached
        case "breachedAny": breachedAny
        case "showing": showing
        case "previous": previous
        case "next": next
        case "bulk": bulk
        case "hasBulk": hasBulk
        default: nil
        }
    }
}
