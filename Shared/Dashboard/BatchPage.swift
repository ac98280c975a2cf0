import Detection
import Domain
import ServiceKit

/// The Batch analysis page: the upload form with the API's limits, and for a scored upload its summary (counts by
/// risk, anomaly rate, score histogram), a sortable, paginated table of results, the per-line errors and a link to
/// the results as CSV.
struct BatchPage {
    /// Rows per table page.
    static let pageSize = 50
    /// Sortable columns (query value → header).
    static let columns: [(key: String, title: String)] = [
        ("transaction_id", "Transaction"), ("risk", "Risk"), ("ensemble", "Ensemble"),
        ("isolation_forest", "IF"), ("autoencoder", "AE"),
    ]

    /// A labelled value.
    struct Item {
        var label: String
        var value: String
    }

    /// A sortable column header.
    struct Header {
        var title: String
        var href: String
        var indicator: String
    }

    /// One table row.
    struct Row {
        var transactionID: String
        var riskLevel: String
        var ensemble: String
        var isolationForest: String
        var autoencoder: String
        var cached: Bool
        var reasons: String
    }

    /// One input line that was refused.
    struct LineError {
        var line: String
        var problems: String
    }

    /// A page link.
    struct PageLink {
        var label: String
        var href: String
        var current: Bool
    }

    var csrfToken: String
    var maximumItems: String
    var maximumBytes: String
    var columnsHint: String
    var uploadProblem: String?
    var hasBatch: Bool
    var filename: String
    var summary: [Item]
    var riskSVG: String
    var histogramSVG: String
    var headers: [Header]
    var rows: [Row]
    var pages: [PageLink]
    var hasPages: Bool
    var errors: [LineError]
    var hasErrors: Bool
    var downloadURL: String

    /// The upload form alone (with a problem of the last upload, if any).
    init(csrfToken: String, limits: DashboardLimits, uploadProblem: String? = nil) {
        self.csrfToken = csrfToken
        maximumItems = DashboardFormat.integer(limits.maximumBatchItems)
        maximumBytes = DashboardFormat.bytes(limits.maximumBatchBytes)
        columnsHint = TransactionRules.fieldNames.joined(separator: ",")
        self.uploadProblem = uploadProblem
        hasBatch = false
        filename = ""
        summary = []
        riskSVG = ""
        histogramSVG = ""
        headers = []
        rows = []
        pages = []
        hasPages = false
        errors = []
        hasErrors = false
        downloadURL = ""
    }

    /// The form and a scored batch, its table sorted by `sort` (`order` `asc`/`desc`) and showing page `page`.
    init(
        csrfToken: String, limits: DashboardLimits, batch: BatchResultStore.Batch, sort: String?, order: String?,
        page: String?
    ) {
        self.init(csrfToken: csrfToken, limits: limits)
        let document = batch.document
        let base = "/dashboard/batch/\(batch.id)"
        hasBatch = true
        filename = batch.filename
        downloadURL = base + "/results.csv"
        let s = document.summary
        summary = [
            Item(label: "lines", value: DashboardFormat.integer(s.total)),
            Item(label: "scored", value: DashboardFormat.integer(s.scored)),
            Item(label: "refused", value: DashboardFormat.integer(document.errors.count)),
            Item(
                label: "anomalies",
                value: "\(DashboardFormat.integer(s.anomalies)) "
                    + "(\(DashboardFormat.percent(Double(s.anomalies) / Double(max(s.scored, 1)))))"),
        ]
        riskSVG = EvaluationCharts.bars(
            RiskLevel.allCases.reversed().map {
                EvaluationCharts.Bar(
                    label: $0.rawValue, value: Double(s.byRisk[$0.rawValue] ?? 0),
                    valueText: DashboardFormat.integer(s.byRisk[$0.rawValue] ?? 0), color: Self.riskColor[$0])
            }, title: "Predictions by risk")
        histogramSVG = EvaluationCharts.scoreHistogram(
            ScoreHistogram(
                labels: document.results.map(\.isAnomaly), scores: document.results.map(\.scores.ensemble),
                bins: 40, range: 0...1), threshold: nil, title: "Ensemble scores (anomaly = flagged)")

        let key = Self.columns.contains { $0.key == sort } ? sort ?? "ensemble" : "ensemble"
        let ascending = order == "asc"
        let sorted = Self.sorted(document.results, by: key, ascending: ascending)
        headers = Self.columns.map { column in
            let nextOrder = column.key == key && !ascending ? "asc" : "desc"
            return Header(
                title: column.title, href: "\(base)?sort=\(column.key)&order=\(nextOrder)",
                indicator: column.key == key ? (ascending ? "▲" : "▼") : "")
        }
        let pageCount = max(1, (sorted.count + Self.pageSize - 1) / Self.pageSize)
        let current = min(max(Int(page ?? "1") ?? 1, 1), pageCount)
        rows = sorted.dropFirst((current - 1) * Self.pageSize).prefix(Self.pageSize).map {
            Row(
                transactionID: $0.transactionID, riskLevel: $0.riskLevel,
                ensemble: DashboardFormat.score($0.scores.ensemble),
                isolationForest: DashboardFormat.score($0.scores.isolationForest),
                autoencoder: DashboardFormat.score($0.scores.autoencoder), cached: $0.cached,
                reasons: $0.reasons.map { PredictionPage.sentence($0.text) }.joined(separator: " "))
        }
        pages = (1...pageCount).filter { $0 == 1 || $0 == pageCount || abs($0 - current) <= 2 }.map {
            PageLink(
                label: String($0), href: "\(base)?sort=\(key)&order=\(ascending ? "asc" : "desc")&page=\($0)",
                current: $0 == current)
        }
        hasPages = pageCount > 1
        errors = document.errors.map { error in
            LineError(
                line: error.line.map { "line \($0)" } ?? error.index.map { "item \($0)" } ?? "—",
                problems: error.problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; "))
        }
        hasErrors = !errors.isEmpty
    }

    /// The results as CSV: one row per scored transaction with its scores, risk and reasons.
    static func resultsCSV(_ document: APIDocuments.Batch) throws -> [UInt8] {
        let writer = try CSVWriter()
        try writer.writeRow([
            "transaction_id", "is_anomaly", "risk_level", "isolation_forest", "autoencoder", "ensemble",
            "model_version", "cached", "reasons",
        ])
        for p in document.results {
            try writer.writeRow([
                p.transactionID, p.isAnomaly ? "true" : "false", p.riskLevel, JSONText.number(p.scores.isolationForest),
                JSONText.number(p.scores.autoencoder), JSONText.number(p.scores.ensemble), p.modelVersion,
                p.cached ? "true" : "false", p.reasons.map(\.code).joined(separator: ";"),
            ])
        }
        return try writer.close()
    }

    static let riskColor: [RiskLevel: String] = [
        .low: "#2e7d32", .medium: "#b7791f", .high: "#d55e00", .critical: "#9b1c1c",
    ]

    private static func sorted(_ results: [APIDocuments.Prediction], by key: String, ascending: Bool)
        -> [APIDocuments.Prediction]
    {
        let rank = Dictionary(uniqueKeysWithValues: RiskLevel.allCases.enumerated().map { ($1.rawValue, $0) })
        let ordered = results.sorted { a, b in
            switch key {
            case "transaction_id": return a.transactionID < b.transactionID
            case "risk":
                return (rank[a.riskLevel] ?? 0, a.scores.ensemble) < (rank[b.riskLevel] ?? 0, b.scores.ensemble)
            case "isolation_forest": return a.scores.isolationForest < b.scores.isolationForest
            case "autoencoder": return a.scores.autoencoder < b.scores.autoencoder
            default: return a.scores.ensemble < b.scores.ensemble
            }
        }
        return ascending ? ordered : ordered.reversed()
    }
}
