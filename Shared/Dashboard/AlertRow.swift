import Mustache

/// One alert as a table row of the review queue and the alert log.
struct AlertRow {
    var alertID: String
    var href: String
    var status: String
    var statusLabel: String
    var riskLevel: String
    var created: String
    var age: String
    var sla: String
    var slaBreached: Bool
    var userID: String
    var amount: String
    var claimedBy: String?
    var decidedBy: String?
    var note: String?

    init(_ alert: APIDocuments.Alert) {
        alertID = alert.alertID
        href = "/dashboard/alerts/\(alert.alertID)"
        status = alert.status
        statusLabel = Self.label(status: alert.status)
        riskLevel = alert.riskLevel
        created = DashboardFormat.time(alert.createdAt)
        age = DashboardFormat.duration(seconds: alert.ageSeconds)
        slaBreached = alert.slaBreached
        sla = Self.sla(alert)
        userID = alert.prediction.transaction.userID
        amount = DashboardFormat.amount(alert.prediction.transaction.amount, alert.prediction.transaction.currency)
        claimedBy = alert.claim?.analyst
        decidedBy = alert.decision?.analyst
        note = alert.decision.flatMap { $0.note.isEmpty ? nil : $0.note }
    }

    /// `confirmed_fraud` → `fraud` (the decision's word), the rest as the API spells them.
    static func label(status: String) -> String {
        status == "confirmed_fraud" ? "fraud" : status
    }

    /// `breached 1 h 05 min ago`, `23 min left` or `decided` (only pending alerts have an SLA running).
    static func sla(_ alert: APIDocuments.Alert) -> String {
        guard alert.status == "pending" else { return "decided" }
        let left = alert.slaMinutes * 60 - alert.ageSeconds
        return alert.slaBreached || left < 0
            ? "breached \(DashboardFormat.duration(seconds: -left)) ago"
            : "\(DashboardFormat.duration(seconds: left)) left"
    }
}

/// Template lookups by name instead of `Mirror` reflection: the queue and the log render 50 rows of about ten names
/// each, and swift-mustache's reflection lookup was most of those pages' render time (profiled: 46 % of the gateway's
/// CPU for `/dashboard/reviews` in a debug build). Every stored property is listed (a test compares with `Mirror`).
extension AlertRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "alertID": alertID
        case "href": href
        case "status": status
        case "statusLabel": statusLabel
        case "riskLevel": riskLevel
        case "created": created
        case "age": age
        case "sla": sla
        case "slaBreached": slaBreached
        case "userID": userID
        case "amount": amount
        case "claimedBy": claimedBy
        case "decidedBy": decidedBy
        case "note": note
        default: nil
        }
    }
}
