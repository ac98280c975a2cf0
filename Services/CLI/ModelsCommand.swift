import ArgumentParser
import Detection
import Foundation
import Registry

/// `txad models …`: the model registry.
///
/// Two registries, one command:
/// - **PostgreSQL registry** (`--database-url` or `DATABASE_URL`): `register`, `list`, `show`, `promote --to`,
///   `approve`, `rollback`, `compare`, `drift`, `backtest` — what the inference replicas follow.
/// - **model directory** (`--model-dir`, or neither flag nor `DATABASE_URL`): `list`, `promote VERSION`,
///   `rollback` on the `ACTIVE` pointer, for offline use (`txad train/evaluate/score --model DIR`).
/// An explicit `--model-dir` always means the directory, even when `DATABASE_URL` is set.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "The model registry: PostgreSQL (--database-url / DATABASE_URL) or a model directory (--model-dir).",
        subcommands: [
            List.self, Show.self, Register.self, Promote.self, Approve.self, Rollback.self, Compare.self, Drift.self,
            Backtest.self,
        ])

    /// Where the command works: a registry database or a model directory.
    struct Location: ParsableArguments {
        @Option(help: "Model directory (env TXAD_MODEL_DIR; default models). Given explicitly, the directory is used.")
        var modelDir: String?

        @Option(help: "PostgreSQL URL of the model registry (env DATABASE_URL).")
        var databaseURL: String?

        @Option(
            name: .customLong("as"), help: "Who is acting, recorded in the audit trail (env TXAD_PRINCIPAL, then USER)."
        )
        var principal: String?

        /// The database URL when the registry is meant: `--database-url`, else `DATABASE_URL` unless `--model-dir`.
        var registryURL: String? {
            if let databaseURL, !databaseURL.isEmpty { return databaseURL }
            if modelDir != nil { return nil }
            return ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        }

        var directory: ModelRegistry {
            ModelRegistry(root: modelDir ?? ProcessInfo.processInfo.environment["TXAD_MODEL_DIR"] ?? "models")
        }

        /// The acting principal: `--as`, `TXAD_PRINCIPAL`, `USER`.
        func actor() throws -> String {
            let environment = ProcessInfo.processInfo.environment
            guard let name = principal ?? environment["TXAD_PRINCIPAL"] ?? environment["USER"], !name.isEmpty else {
                throw ValidationError("--as NAME is required (who is acting; or set TXAD_PRINCIPAL)")
            }
            return name
        }

        /// The database URL, or a message saying this subcommand needs one.
        func requireRegistry(_ command: String) throws -> String {
            guard let url = registryURL else {
                throw ValidationError(
                    "`txad models \(command)` works on the PostgreSQL registry: give --database-url or set DATABASE_URL"
                )
            }
            return url
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registered versions with stage and approvals.")
        @OptionGroup var location: Location

        func run() async throws {
            if let url = location.registryURL {
                let records = try await RegistryCLI.withRegistry(url) { try await $0.list() }
                RegistryCLI.printList(records)
                return
            }
            let registry = location.directory
            let entries = try registry.list()
            guard !entries.isEmpty else {
                print("no bundles in \(registry.root); train one with `txad train`")
                return
            }
            print("  version                          created                    ROC AUC  PR AUC")
            for e in entries {
                let roc = e.rocAUC.map { String(format: "%.4f", $0) } ?? "   –  "
                let pr = e.prAUC.map { String(format: "%.4f", $0) } ?? "   –  "
                let name = e.version.padding(toLength: 32, withPad: " ", startingAt: 0)
                let created = e.created.padding(toLength: 26, withPad: " ", startingAt: 0)
                print("\(e.isActive ? "*" : " ") \(name) \(created) \(roc)   \(pr)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One registered version and its audit trail.")
        @Argument(help: "The version.") var version: String
        @OptionGroup var location: Location

        func run() async throws {
            let url = try location.requireRegistry("show")
            let (record, trail, precision) = try await RegistryCLI.withClient(url) { client in
                let registry = BundleRegistry(client: client)
                let record = try await registry.show(version)
                let trail = try await registry.history(of: version)
                // Precision of this version's decided alerts, as the alerts service exports it; a registry
                // database without the alerts tables says so instead of failing `show`.
                let precision: Result<VersionPrecision, RegistryError>
                do throws(RegistryError) {
                    precision = .success(try await VersionPrecision.of(version, client: client))
                } catch {
                    precision = .failure(error)
                }
                return (record, trail, precision)
            }
            RegistryCLI.printRecord(record, trail: trail, precision: precision)
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a bundle directory in the registry as a candidate (validated first).")
        @Argument(help: "The bundle directory (models/<version>).") var directory: String
        @Option(help: "The MLflow run that produced the bundle.") var mlflowRunID: String?
        @OptionGroup var location: Location

        func run() async throws {
            let url = try location.requireRegistry("register")
            let actor = try location.actor()
            let record = try await RegistryCLI.withRegistry(url) {
                try await $0.register(directory: directory, by: actor, mlflowRunID: mlflowRunID)
            }
            print(
                "registered \(record.version) as candidate (\(record.bundleBytes) bytes, sha256 "
                    + "\(record.checksum.prefix(12))…) by \(record.registeredBy)")
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Registry: move a version to shadow, canary=N% or champion. Directory: make VERSION active.")
        @Argument(help: "The version.") var version: String
        @Option(help: "Registry target: shadow, canary=N%, champion or archived.") var to: String?
        @OptionGroup var location: Location

        func run() async throws {
            guard let url = location.registryURL else {
                guard to == nil else {
                    throw ValidationError("--to works on the PostgreSQL registry: give --database-url or DATABASE_URL")
                }
                try location.directory.promote(version)
                print("\(version) is now active; running inference services pick it up on Inference/Reload")
                return
            }
            guard let to else { throw ValidationError("--to shadow|canary=N%|champion|archived is required") }
            let target = try PromotionTarget(parsing: to)
            let actor = try location.actor()
            let record = try await RegistryCLI.withRegistry(url) {
                try await $0.promote(version, to: target, by: actor)
            }
            print("\(record.version) is now \(RegistryCLI.stageText(record)); replicas switch on the notification")
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve a version for champion (by a principal other than its registrar).")
        @Argument(help: "The version.") var version: String
        @Flag(help: "Approve your own registration (only with TXAD_ALLOW_SELF_APPROVAL=1, for local use).")
        var selfApprove = false
        @OptionGroup var location: Location

        func run() async throws {
            let url = try location.requireRegistry("approve")
            let actor = try location.actor()
            let allowed = ProcessInfo.processInfo.environment["TXAD_ALLOW_SELF_APPROVAL"] == "1"
            if selfApprove && !allowed {
                throw ValidationError("--self-approve needs TXAD_ALLOW_SELF_APPROVAL=1 (maker–checker otherwise)")
            }
            let record = try await RegistryCLI.withRegistry(url) {
                try await $0.approve(version, by: actor, selfApprovalPermitted: selfApprove && allowed)
            }
            print("\(record.version) approved by \(record.approvedBy ?? actor)")
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the previous champion (registry) or previously active bundle (directory) serve again.")
        @OptionGroup var location: Location

        func run() async throws {
            guard let url = location.registryURL else {
                let version = try location.directory.rollback()
                print("rolled back to \(version)")
                return
            }
            let actor = try location.actor()
            let record = try await RegistryCLI.withRegistry(url) { try await $0.rollback(by: actor) }
            print("rolled back: \(record.version) is champion again")
        }
    }

    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare a challenger with the champion on the traffic the shadow recorded.")
        @Argument(help: "The champion version.") var champion: String
        @Argument(help: "The challenger (shadow) version.") var challenger: String
        @Option(help: "Window: 30m, 24h, 7d (default 24h).") var since = "24h"
        @OptionGroup var location: Location

        func run() async throws {
            let url = try location.requireRegistry("compare")
            let seconds = try RegistryCLI.seconds(since, field: "--since")
            let comparison = try await RegistryCLI.withClient(url) { client in
                try await ModelComparison.compute(
                    client: client, champion: champion, challenger: challenger, sinceSeconds: seconds)
            }
            RegistryCLI.printComparison(comparison, window: since)
        }
    }

    struct Drift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score drift of a version against its training data (PSI) and its live alert rate.")
        @Argument(help: "The version.") var version: String
        @Option(help: "Window: 30m, 24h, 7d (default 24h).") var since = "24h"
        @OptionGroup var location: Location

        func run() async throws {
            let url = try location.requireRegistry("drift")
            let seconds = try RegistryCLI.seconds(since, field: "--since")
            let report = try await RegistryCLI.withClient(url) { client in
                try await ScoreDrift.report(client: client, version: version, sinceSeconds: seconds)
            }
            RegistryCLI.printDrift(report, window: since)
        }
    }
}
