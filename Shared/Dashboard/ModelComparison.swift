import Detection

/// The registered model versions side by side (`GET /models`, role admin): stage, canary share, holdout ROC AUC
/// and PR AUC, who registered and approved each, with the AUCs as bars.
struct ModelComparison {
    /// One registered version.
    struct Version {
        var version: String
        var stage: String
        var canary: String
        var rocAUC: String
        var prAUC: String
        var registered: String
        var approved: String
    }

    /// `GET /models` as far as the page reads it.
    struct Document: Decodable {
        struct Record: Decodable {
            struct Holdout: Decodable {
                var rocAUC: Double?
                var prAUC: Double?

                enum CodingKeys: String, CodingKey {
                    case rocAUC = "roc_auc"
                    case prAUC = "pr_auc"
                }
            }

            var version: String
            var stage: String
            var canaryShare: Double?
            var registeredBy: String
            var registeredAt: String
            var approvedBy: String?
            var holdout: Holdout

            enum CodingKeys: String, CodingKey {
                case version, stage
                case canaryShare = "canary_share"
                case registeredBy = "registered_by"
                case registeredAt = "registered_at"
                case approvedBy = "approved_by"
                case holdout
            }
        }

        var versions: [Record]
    }

    var versions: [Version]
    var hasVersions: Bool
    var aucSVG: String
    var note: String?

    init(reply: DashboardReply) {
        guard reply.status == 200, let document = APIDocuments.decode(Document.self, from: reply.body) else {
            versions = []
            hasVersions = false
            aucSVG = ""
            switch reply.status {
            case 403: note = "Comparing registered versions needs role admin (GET /models)."
            case 503: note = "No model registry: the gateway has no DATABASE_URL."
            default:
                let problem = APIDocuments.problem(in: reply)
                note = "\(problem.title): \(problem.detail)"
            }
            return
        }
        let records = document.versions
        versions = records.map { r in
            Version(
                version: r.version, stage: r.stage, canary: r.canaryShare.map(DashboardFormat.percent) ?? "—",
                rocAUC: r.holdout.rocAUC.map(DashboardFormat.score) ?? "—",
                prAUC: r.holdout.prAUC.map(DashboardFormat.score) ?? "—",
                registered: "\(r.registeredBy), \(DashboardFormat.time(r.registeredAt))",
                approved: r.approvedBy ?? "—")
        }
        hasVersions = !versions.isEmpty
        note = hasVersions ? nil : "No version is registered yet (txad models register)."
        let bars = records.flatMap { r -> [EvaluationCharts.Bar] in
            [
                r.holdout.rocAUC.map {
                    EvaluationCharts.Bar(
                        label: "\(r.version) ROC", value: $0, valueText: DashboardFormat.score($0), color: "#0072B2")
                },
                r.holdout.prAUC.map {
                    EvaluationCharts.Bar(
                        label: "\(r.version) PR", value: $0, valueText: DashboardFormat.score($0), color: "#D55E00")
                },
            ].compactMap { $0 }
        }
        aucSVG = bars.isEmpty ? "" : EvaluationCharts.bars(bars, title: "Holdout AUC by version", maximum: 1)
    }
}
