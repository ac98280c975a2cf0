import ArgumentParser
import Foundation
import Logging
import Registry
import Stores

/// Shared plumbing of the registry subcommands: a client per command, errors as messages, tables.
enum RegistryCLI {
    /// Runs `body` with a client on `url`, shut down afterwards; registry errors become a message and exit code 1.
    static func withClient<T: Sendable>(_ url: String, _ body: (PostgresClient) async throws -> T) async throws -> T {
        var logger = Logger(label: "txad.models")
        logger.logLevel = .warning
        let client: PostgresClient
        do {
            client = try PostgresClient(
                configuration: .init(url: url, poolSize: 2, connectTimeout: .seconds(5)), logger: logger)
        } catch {
            throw ValidationError("--database-url / DATABASE_URL: \(error)")
        }
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch let error as RegistryError {
            await client.shutdown()
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// ``withClient(_:_:)`` with a registry.
    static func withRegistry<T: Sendable>(_ url: String, _ body: (BundleRegistry) async throws -> T) async throws -> T {
        try await withClient(url) { try await body(BundleRegistry(client: $0)) }
    }

    /// `30m`, `24h`, `7d`, `90s` as seconds.
    static func seconds(_ text: String, field: String) throws -> Int {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int(text.dropLast()), count > 0,
            count <= 3650 * 86_400 / unit
        else {
            throw ValidationError("\(field) '\(text)' must be a positive number with s, m, h or d (e.g. 24h)")
        }
        return count * unit
    }

    static func stageText(_ record: ModelVersionRecord) -> String {
        record.stage == .canary
            ? "canary \(CanaryShare.percentText(record.canaryShare ?? 0))" : record.stage.rawValue
    }

    static func printList(_ records: [ModelVersionRecord]) {
        guard !records.isEmpty else {
            print("no versions registered; `txad models register DIR` stores one")
            return
        }
        print(
            pad("version", 24) + pad("stage", 14) + pad("registered by", 16) + pad("approved by", 16)
                + pad("registered at", 26) + "ROC AUC  PR AUC")
        for r in records {
            let roc = r.rocAUC.map { String(format: "%.4f", $0) } ?? "   –  "
            let pr = r.prAUC.map { String(format: "%.4f", $0) } ?? "   –  "
            print(
                pad(r.version, 24) + pad(stageText(r), 14) + pad(r.registeredBy, 16) + pad(r.approvedBy ?? "–", 16)
                    + pad(r.registeredAt, 26) + roc + "   " + pr)
        }
    }

    static func printRecord(
        _ r: ModelVersionRecord, trail: [StageChange], precision: Result<VersionPrecision, RegistryError>? = nil
    ) {
        print("version        \(r.version)")
        print("stage          \(stageText(r))")
        print("created        \(r.created)")
        print("registered     \(r.registeredAt) by \(r.registeredBy)")
        print("approved       \(r.approvedBy.map { "\(r.approvedAt ?? "") by \($0)" } ?? "no")")
        print("bundle         \(r.bundleBytes) bytes, sha256 \(r.checksum)")
        print("training data  sha256 \(r.dataDigest)")
        if let run = r.mlflowRunID { print("mlflow run     \(run)") }
        if let roc = r.rocAUC, let pr = r.prAUC {
            print("holdout        ROC AUC \(String(format: "%.4f", roc)), PR AUC \(String(format: "%.4f", pr))")
        }
        if let precision { print("precision      \(precisionText(precision))") }
        print("history:")
        for c in trail {
            let share = c.canaryShare.map { " \(CanaryShare.percentText($0))" } ?? ""
            print(
                "  \(c.changedAt)  \(pad(c.action, 9)) \(c.fromStage?.rawValue ?? "–") → \(c.toStage.rawValue)\(share)  by \(c.actor)"
            )
        }
    }

    /// `txad models show`'s precision line: decided alerts of the version and the share confirmed as fraud.
    static func precisionText(_ precision: Result<VersionPrecision, RegistryError>) -> String {
        switch precision {
        case .failure(let error):
            return "not available (\(error.message))"
        case .success(let p):
            guard let value = p.precision else { return "no decided alerts of this version yet" }
            return String(format: "%.2f %%", value * 100)
                + " (\(p.confirmedFraud) fraud, \(p.decided - p.confirmedFraud) legitimate of \(p.decided) decided alerts)"
        }
    }

    static func printComparison(_ c: ModelComparison, window: String) {
        func percent(_ value: Double?) -> String { value.map { String(format: "%.2f %%", $0 * 100) } ?? "–" }
        print(
            "\(c.challenger) vs champion \(c.champion), last \(window): \(c.transactions) transactions scored by both")
        print("score correlation      \(c.correlation.map { String(format: "%.4f", $0) } ?? "–")")
        print(
            "alert rate (≥ medium)  champion \(percent(c.championAlertRate)), challenger \(percent(c.challengerAlertRate))"
                + String(format: ", difference %+.2f pp", c.alertRateDifference * 100))
        print("agreement per champion risk level:")
        for level in c.levels {
            print(
                "  \(pad(level.level, 9)) \(String(format: "%8d", level.count)) transactions, challenger agrees on "
                    + percent(level.count == 0 ? nil : level.agreement))
        }
        print(
            "decided alerts         \(c.decidedAlerts): precision champion \(percent(c.championPrecision)), "
                + "challenger \(percent(c.challengerPrecision))")
    }

    static func printDrift(_ r: ScoreDrift.Report, window: String) {
        func psi(_ value: Double?) -> String {
            guard let value else { return "–" }
            let verdict = value < 0.1 ? "stable" : value < 0.25 ? "moderate shift" : "large shift"
            return String(format: "%.4f", value) + " (\(verdict))"
        }
        print("\(r.version), last \(window): \(r.predictions) predictions")
        print("PSI vs training   isolation forest \(psi(r.isolationForestPSI)), autoencoder \(psi(r.autoencoderPSI))")
        print(
            String(
                format: "alert rate        %.2f %% at risk ≥ medium, %.2f %% anomalous", r.alertRate * 100,
                r.anomalyRate * 100))
        let total = max(1, r.predictions)
        print("bucket   training   isolation forest   autoencoder")
        for i in 0..<ScoreDrift.buckets {
            print(
                String(
                    format: "%.1f–%.1f   %6.1f %%   %14.1f %%   %9.1f %%", Double(i) / 10, Double(i + 1) / 10,
                    100.0 / Double(ScoreDrift.buckets), Double(r.isolationForestCounts[i]) * 100 / Double(total),
                    Double(r.autoencoderCounts[i]) * 100 / Double(total)))
        }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
}

extension RegistryCLI {
    static func printBacktest(_ r: BacktestReport, seconds: Double?) {
        let state = r.completed ? "" : " (stopped: \(formatCount(r.rows)) of \(formatCount(r.windowRows)) rows)"
        let speed = seconds.map { s in
            s > 0 ? ", \(formatCount(Int(Double(r.rows) / s))) rows/s" : ""
        } ?? ""
        print("backtest of \(r.version) on transactions from \(r.since) until \(r.until)\(state)\(speed)")
        if let warm = r.warmUpSince {
            print("warm-up                \(r.warmUpRows) rows from \(warm) replayed for users' history")
        }
        printComparison(r.comparison, window: "window")
        func percent(_ value: Double?) -> String { value.map { String(format: "%.2f %%", $0 * 100) } ?? "–" }
        print("confirmed fraud        \(r.confirmedFraud): \(r.version) alerts on \(r.confirmedFraudCaught) "
            + "(recall \(percent(r.fraudRecall)))")
        if r.sameVersionRows > 0 {
            print(
                "scored live by \(r.version)  \(r.sameVersionRows) rows, identical score and risk on "
                    + "\(r.exactMatches)" + String(format: ", largest score difference %.3g", r.maximumDifference))
        }
        if r.degradedRows > 0 {
            print("degraded live rows     \(r.degradedRows) (scored live without user state; not reproducible)")
        }
        print("alerts per day (risk ≥ medium):")
        print("  date         transactions        live   \(r.version)")
        for day in r.days {
            print(
                "  \(day.date)   " + String(format: "%12d  %10d  %8d", day.transactions, day.liveAlerts, day.backtestAlerts))
        }
    }
}
