import Detection
import Domain

/// One alert (`GET /alerts/{alert_id}`): the transaction, scores and reasons, the user's recent transactions (a
/// table and an amount/time chart), the notification deliveries, the audit trail of decisions, and the claim and
/// decision forms.
struct AlertDetailPage {
    /// A label and a value.
    struct Fact {
        var label: String
        var value: String
    }

    /// One of the user's recent transactions.
    struct Recent {
        var transactionID: String
        var time: String
        var amount: String
        var riskLevel: String
        var merchant: String
        var isThisOne: Bool
    }

    /// One notification delivery.
    struct DeliveryRow {
        var channel: String
        var event: String
        var state: String
        var failed: Bool
        var attempts: Int
        var lastStatus: String
        var lastError: String
        var created: String
        var delivered: String
    }

    /// One entry of the audit trail.
    struct AuditEntry {
        var at: String
        var analyst: String
        var text: String
        var note: String
    }

    /// A choice of the decision form.
    struct Choice {
        var value: String
        var label: String
        var key: String
        var checked: Bool
    }

    var alertID: String
    var csrfToken: String
    var idempotencyKey: String
    var notice: String?
    var problem: String?
    var decisionError: String?
    var noteError: String?
    var found: Bool
    var row: AlertRow?
    var facts: [Fact]
    var scores: [Fact]
    var reasons: [String]
    var recent: [Recent]
    var hasRecent: Bool
    var historySVG: String
    var deliveries: [DeliveryRow]
    var hasDeliveries: Bool
    var audit: [AuditEntry]
    var hasAudit: Bool
    var canClaim: Bool
    var claimedByMe: Bool
    var isDecided: Bool
    var choices: [Choice]
    var note: String
    var override: Bool

    /// The page from the API's answer to `GET /alerts/{id}`. `submitted` holds a refused decision form's values and
    /// `refusal` the API's answer to it, shown at the form.
    init(
        alertID: String, reply: DashboardReply, analyst: String, csrfToken: String, idempotencyKey: String,
        notice: String? = nil, submitted: (decision: String, note: String, override: Bool)? = nil,
        refusal: DashboardReply? = nil
    ) {
        self.alertID = alertID
        self.csrfToken = csrfToken
        self.idempotencyKey = idempotencyKey
        self.notice = notice
        note = submitted?.note ?? ""
        override = submitted?.override ?? false
        choices = [("fraud", "Fraud", "f"), ("legitimate", "Legitimate", "l")].map {
            Choice(value: $0.0, label: $0.1, key: $0.2, checked: submitted?.decision == $0.0)
        }
        if let refusal {
            let (general, byField) = FilterField.errors(in: refusal)
            problem = general
            decisionError = byField["decision"]
            noteError = byField["note"] ?? byField["Idempotency-Key"]
        }
        guard reply.status == 200, let detail = APIDocuments.decode(APIDocuments.AlertDetail.self, from: reply.body)
        else {
            if problem == nil {
                let p = APIDocuments.problem(in: reply)
                problem = "\(p.title): \(p.detail)"
            }
            found = false
            facts = []
            scores = []
            reasons = []
            recent = []
            hasRecent = false
            historySVG = ""
            deliveries = []
            hasDeliveries = false
            audit = []
            hasAudit = false
            canClaim = false
            claimedByMe = false
            isDecided = false
            return
        }
        found = true
        let alert = detail.alert
        let t = alert.prediction.transaction
        row = AlertRow(alert)
        facts = [
            Fact(label: "Transaction", value: t.transactionID), Fact(label: "User", value: t.userID),
            Fact(label: "Time", value: DashboardFormat.time(t.timestamp)),
            Fact(label: "Amount", value: DashboardFormat.amount(t.amount, t.currency)),
            Fact(
                label: "Merchant",
                value: [t.merchantID, t.merchantCategory].compactMap { $0 }.joined(separator: " · ")),
            Fact(label: "Channel", value: t.channel ?? "—"), Fact(label: "Country", value: t.country ?? "—"),
            Fact(label: "Model", value: alert.prediction.modelVersion),
        ]
        scores = [
            Fact(label: "Ensemble", value: DashboardFormat.score(alert.prediction.scores.ensemble)),
            Fact(label: "Isolation forest", value: DashboardFormat.score(alert.prediction.scores.isolationForest)),
            Fact(label: "Autoencoder", value: DashboardFormat.score(alert.prediction.scores.autoencoder)),
        ]
        reasons = alert.prediction.reasons.map(\.text)
        recent = detail.recentTransactions.map {
            Recent(
                transactionID: $0.transaction.transactionID, time: DashboardFormat.time($0.transaction.timestamp),
                amount: DashboardFormat.amount($0.transaction.amount, $0.transaction.currency),
                riskLevel: $0.riskLevel,
                merchant: $0.transaction.merchantCategory ?? $0.transaction.merchantID ?? "—",
                isThisOne: $0.transaction.transactionID == t.transactionID)
        }
        hasRecent = !recent.isEmpty
        historySVG = Self.history(detail, alerted: t)
        deliveries = detail.deliveries.map {
            DeliveryRow(
                channel: "\($0.channel) (\($0.channelType))", event: $0.eventType, state: $0.state,
                failed: $0.state == "failed" || $0.state == "dead", attempts: $0.attempts,
                lastStatus: $0.lastStatus.map(String.init) ?? "—", lastError: $0.lastError ?? "",
                created: DashboardFormat.time($0.createdAt),
                delivered: $0.deliveredAt.map(DashboardFormat.time) ?? "—")
        }
        hasDeliveries = !deliveries.isEmpty
        audit = Self.audit(detail)
        hasAudit = !audit.isEmpty
        isDecided = alert.status != "pending"
        claimedByMe = alert.claim?.analyst == analyst
        canClaim = !isDecided && !claimedByMe
    }

    /// The decision's trail: overrides in order, then the decision in force.
    private static func audit(_ detail: APIDocuments.AlertDetail) -> [AuditEntry] {
        var entries = detail.overrides.map {
            AuditEntry(
                at: DashboardFormat.time($0.at), analyst: $0.analyst,
                text: "changed \(AlertRow.label(status: $0.from)) → \(AlertRow.label(status: $0.to))", note: $0.note)
        }
        if let decision = detail.alert.decision {
            entries.append(
                AuditEntry(
                    at: DashboardFormat.time(decision.decidedAt), analyst: decision.analyst,
                    text: "decided \(decision.decision)", note: decision.note))
        }
        return entries
    }

    /// The user's amounts over time (hours relative to the alerted transaction), the alerted one marked.
    private static func history(_ detail: APIDocuments.AlertDetail, alerted t: APIDocuments.Transaction) -> String {
        guard let origin = RFC3339.parseMillis(t.timestamp) else { return "" }
        var points = detail.recentTransactions.compactMap { s -> CurvePoint? in
            guard let at = RFC3339.parseMillis(s.transaction.timestamp) else { return nil }
            return CurvePoint(x: Double(at - origin) / 3_600_000, y: s.transaction.amount, threshold: 0)
        }
        if !detail.recentTransactions.contains(where: { $0.transaction.transactionID == t.transactionID }) {
            points.append(CurvePoint(x: 0, y: t.amount, threshold: 0))
        }
        points.sort { $0.x < $1.x }
        return EvaluationCharts.lineChart(
            [EvaluationCharts.Series(name: "amount", points: points)], title: "Amounts of user \(t.userID)",
            xLabel: "hours relative to this transaction", yLabel: "amount (\(t.currency))",
            marker: (0, "this transaction"), width: 560, height: 200)
    }
}
