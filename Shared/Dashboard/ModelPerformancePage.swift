import Detection

/// The Model performance page: the active bundle's holdout evaluation as the manifest stores it — metrics table,
/// ROC and precision–recall curves, confusion matrices, score histograms by class, recall per anomaly type,
/// thresholds and the risk table. Charts are Detection's ``EvaluationCharts`` SVG.
struct ModelPerformancePage {
    /// A row of a table.
    struct Row {
        var label: String
        var cells: [String]
    }

    /// One model's decision at its threshold.
    struct Confusion {
        var model: String
        var tp: String
        var fp: String
        var tn: String
        var fn: String
    }

    /// A labelled value.
    struct Item {
        var label: String
        var value: String
    }

    var version: String
    var created: String
    /// The registered versions compared (from the registry), when the page could ask for them.
    var comparison: ModelComparison?
    var problem: String?
    var hasEvaluation: Bool
    var hasCurves: Bool
    var models: [String]
    var metrics: [Row]
    var confusions: [Confusion]
    var rocSVG: String
    var prSVG: String
    var histogramSVGs: [String]
    var recallSVG: String?
    var training: [Item]
    var thresholds: [Item]

    /// Model names in the order pages and reports show them.
    static let modelOrder = ["isolation_forest", "autoencoder", "ensemble"]

    /// The page from the `GET /models/info` answer.
    init(model reply: DashboardReply) {
        guard reply.status == 200, let info = APIDocuments.decode(APIDocuments.ModelInfo.self, from: reply.body) else {
            let p = APIDocuments.problem(in: reply)
            self.init(problem: "\(p.title): \(p.detail)", version: "—", created: "")
            return
        }
        guard let manifest = info.manifest else {
            self.init(
                problem: "the inference service sent no manifest for \(info.version)", version: info.version,
                created: info.created)
            return
        }
        self.init(manifest: manifest)
    }

    private init(problem: String, version: String, created: String) {
        self.version = version
        self.created = created
        self.problem = problem
        hasEvaluation = false
        hasCurves = false
        models = []
        metrics = []
        confusions = []
        rocSVG = ""
        prSVG = ""
        histogramSVGs = []
        recallSVG = nil
        training = []
        thresholds = []
    }

    /// The page of one manifest.
    init(manifest: BundleManifest) {
        version = manifest.version
        created = manifest.created
        problem = nil
        rocSVG = ""
        prSVG = ""
        histogramSVGs = []
        recallSVG = nil
        let data = manifest.trainingData
        training = [
            Item(label: "training file", value: data.file),
            Item(label: "rows (bad rows skipped)", value: "\(DashboardFormat.integer(data.rows)) (\(data.badRows))"),
            Item(
                label: "fitted on / held out",
                value:
                    "\(DashboardFormat.integer(data.trainingRows)) / \(DashboardFormat.integer(data.holdoutRows))"),
            Item(label: "period", value: "\(data.firstTimestamp ?? "—") to \(data.lastTimestamp ?? "—")"),
        ]
        let e = manifest.ensemble
        thresholds = [
            Item(label: "anomaly threshold (ensemble)", value: DashboardFormat.score(e.anomalyThreshold)),
            Item(label: "contamination", value: DashboardFormat.percent(e.contamination)),
            Item(
                label: "weights IF / AE",
                value:
                    DashboardFormat.score(e.weights.isolationForest) + " / "
                    + DashboardFormat.score(e.weights.autoencoder)
            ),
            Item(label: "medium from", value: DashboardFormat.score(e.risk.medium)),
            Item(
                label: "high from (p\(formatFixed(e.risk.percentiles.high * 100, decimals: 1)))",
                value: DashboardFormat.score(e.risk.high)),
            Item(
                label: "critical from (p\(formatFixed(e.risk.percentiles.critical * 100, decimals: 1)))",
                value: DashboardFormat.score(e.risk.critical)),
        ]
        let evaluation = manifest.evaluation ?? [:]
        let names =
            Self.modelOrder.filter { evaluation[$0] != nil }
            + evaluation.keys.filter { !Self.modelOrder.contains($0) }.sorted()
        models = names
        hasEvaluation = !names.isEmpty
        let results = names.compactMap { name in evaluation[name].map { (name: name, result: $0) } }
        let table = EvaluationTable.rows(results)
        metrics = table.dropFirst().map { Row(label: $0[0], cells: Array($0.dropFirst())) }
        confusions = results.map {
            Confusion(
                model: $0.name, tp: DashboardFormat.integer($0.result.confusion.tp),
                fp: DashboardFormat.integer($0.result.confusion.fp),
                tn: DashboardFormat.integer($0.result.confusion.tn),
                fn: DashboardFormat.integer($0.result.confusion.fn))
        }
        if let ensemble = evaluation["ensemble"] ?? results.last?.result {
            let bars = ensemble.recallByType.sorted { $0.key < $1.key }.map {
                EvaluationCharts.Bar(label: $0.key, value: $0.value, valueText: DashboardFormat.percent($0.value))
            }
            if !bars.isEmpty {
                recallSVG = EvaluationCharts.bars(bars, title: "Recall per anomaly type (ensemble)", maximum: 1)
            }
        }
        let curves = manifest.evaluationCurves ?? [:]
        let curveNames = names.filter { curves[$0] != nil }
        hasCurves = !curveNames.isEmpty
        if hasCurves {
            rocSVG = EvaluationCharts.rocCurve(
                curveNames.compactMap { name in
                    curves[name].map {
                        EvaluationCharts.Series(name: name, points: $0.rocPoints, area: evaluation[name]?.rocAUC)
                    }
                })
            let positives = results.first.map { r -> Double in
                let c = r.result.confusion
                return c.total > 0 ? Double(c.tp + c.fn) / Double(c.total) : 0
            }
            prSVG = EvaluationCharts.precisionRecallCurve(
                curveNames.compactMap { name in
                    curves[name].map {
                        EvaluationCharts.Series(
                            name: name, points: $0.precisionRecallPoints, area: evaluation[name]?.prAUC)
                    }
                }, baseline: positives)
            histogramSVGs = curveNames.compactMap { name in
                curves[name].map {
                    EvaluationCharts.scoreHistogram($0.histogram, threshold: $0.threshold, title: "Scores: \(name)")
                }
            }
        }
    }
}
