import Foundation

extension ReviewSimulation.Outcome {
    /// The machine-readable record: the protocol's periods and review, each model's metrics on the evaluation
    /// period and its recall at the alert budget.
    struct Record: Encodable {
        struct Periods: Encodable {
            var trainingRows: Int
            var reviewRows: Int
            var evaluationRows: Int
            var reviewed: Int
            var reviewedFraud: Int
            var budgetInEvaluation: Int

            enum CodingKeys: String, CodingKey {
                case trainingRows = "training_rows"
                case reviewRows = "review_rows"
                case evaluationRows = "evaluation_rows"
                case reviewed
                case reviewedFraud = "reviewed_fraud"
                case budgetInEvaluation = "budget_in_evaluation"
            }
        }

        var simulation: Periods
        var models: [String: EvaluationResult]
        var recallAtBudget: [String: Double]
        var blend: LogisticStacking?

        enum CodingKeys: String, CodingKey {
            case simulation = "protocol"
            case models
            case recallAtBudget = "recall_at_budget"
            case blend
        }
    }

    /// The protocol and the side-by-side figures as lines for the terminal and the HTML report's notes.
    public var summary: [String] {
        let unsupervised = models.first { $0.name == Evaluator.unsupervisedName }?.result
        let final = models.first { $0.name == Evaluator.ensembleName }?.result
        func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "—" }
        return [
            "protocol: unsupervised training on the first \(trainingRows) rows; the next \(reviewRows) scored with "
                + "history; the top \(reviewed) alerts reviewed (\(reviewedFraud) fraud); retrained on the first "
                + "\(trainingRows + reviewRows) rows with those labels; evaluated on the last \(evaluationRows) rows "
                + "with history",
            "metric                 unsupervised  with labels",
            "ROC AUC                " + f(unsupervised?.rocAUC).leftPadded(12) + f(final?.rocAUC).leftPadded(13),
            "PR AUC                 " + f(unsupervised?.prAUC).leftPadded(12) + f(final?.prAUC).leftPadded(13),
            "precision@K            " + f(unsupervised?.precisionAtK).leftPadded(12)
                + f(final?.precisionAtK).leftPadded(13),
            "recall@\(budgetInEvaluation) (budget)".padding(toLength: 23, withPad: " ", startingAt: 0)
                + f(recallAtBudget[Evaluator.unsupervisedName]).leftPadded(12)
                + f(recallAtBudget[Evaluator.ensembleName]).leftPadded(13),
        ]
    }

    /// `evaluation.json` (the ``Record``) and the HTML report with curves, as relative path → bytes.
    public func files(title: String, notes: [String]) throws(DetectionError) -> [String: [UInt8]] {
        var files = try Evaluator.files(models, title: title, notes: notes + summary)
        let record = Record(
            simulation: .init(
                trainingRows: trainingRows, reviewRows: reviewRows, evaluationRows: evaluationRows, reviewed: reviewed,
                reviewedFraud: reviewedFraud, budgetInEvaluation: budgetInEvaluation),
            models: Evaluator.results(models), recallAtBudget: recallAtBudget,
            blend: bundle.manifest.supervised?.stacking)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            files["evaluation.json"] = [UInt8](try encoder.encode(record))
        } catch {
            throw DetectionError(.invalidArgument, "cannot encode the simulation results: \(error)")
        }
        return files
    }

    /// Writes ``files(title:notes:)``: the JSON to `jsonPath`, the report into `reportDirectory`.
    public func write(reportDirectory: String?, jsonPath: String?, title: String, notes: [String])
        throws(DetectionError)
    {
        let all = try files(title: title, notes: notes)
        if let jsonPath, let json = all["evaluation.json"] { try ModelFile.write(json, to: jsonPath) }
        if let reportDirectory {
            try FileManager.default.createDirectoryIfNeeded(reportDirectory)
            for (name, bytes) in all where name.hasPrefix("report/") {
                try ModelFile.write(bytes, to: reportDirectory + "/" + name.dropFirst("report/".count))
            }
        }
    }
}

extension String {
    /// The string right-aligned in `width` characters.
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
