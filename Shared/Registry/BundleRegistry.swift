import Detection
import Foundation
import Stores

/// The model registry in PostgreSQL: bundle versions with their bytes, stages, approvals and an audit row for every
/// change. Used by `txad models`, the gateway's `/models` routes and the inference replicas (which follow it).
///
/// ```swift
/// let registry = BundleRegistry(client: db)
/// let record = try await registry.register(directory: "models/v7", by: "alice")
/// try await registry.promote("v7", to: .shadow, by: "alice")
/// try await registry.approve("v7", by: "bob")
/// try await registry.promote("v7", to: .champion, by: "alice")
/// try await registry.rollback(by: "alice")
/// ```
/// Rules: at most one champion, one canary and one shadow (a promotion moves the previous holder of that stage to
/// `archived`, audited as `replace`); promotion to champion needs an approval by a principal other than the
/// registrar (``approve(_:by:selfApprovalPermitted:)``); every change runs in one transaction under an advisory
/// lock and announces itself with `NOTIFY txad_model_registry` on commit, so replicas reload within their watch delay.
/// The tables come from ``RegistrySchema`` (applied by the alerts service).
public struct BundleRegistry: Sendable {
    /// Advisory lock serialising registry changes (`txadregi`).
    static let lockKey: Int64 = 0x7478_6164_7265_6769
    private let client: PostgresClient

    /// A registry over `client` (the caller owns and shuts down the client).
    public init(client: PostgresClient) {
        self.client = client
    }

    // MARK: - Reading

    /// Every version, newest registration first.
    public func list() async throws(RegistryError) -> [ModelVersionRecord] {
        try await run {
            try await client.query(
                "SELECT \(ModelVersionRecord.columns) FROM model_versions ORDER BY registered_at DESC, version DESC"
            ).map(ModelVersionRecord.init(row:))
        }
    }

    /// One version. - Throws: `.notFound`.
    public func show(_ version: String) async throws(RegistryError) -> ModelVersionRecord {
        try Self.validate(version: version)
        let rows = try await run {
            try await client.query(
                "SELECT \(ModelVersionRecord.columns) FROM model_versions WHERE version = $1", [PostgresValue(version)])
        }
        guard let row = rows.first else { throw RegistryError(.notFound, "model version \(version) is not registered") }
        return try await run { try ModelVersionRecord(row: row) }
    }

    /// The audit trail, oldest first: of one version, or of all versions when `version` is nil (the latest
    /// `limit` changes).
    public func history(of version: String? = nil, limit: Int = 1000) async throws(RegistryError) -> [StageChange] {
        if let version { try Self.validate(version: version) }
        let limit = max(1, min(limit, 100_000))
        return try await run {
            let rows =
                if let version {
                    try await client.query(
                        "SELECT \(StageChange.columns) FROM model_stage_changes WHERE version = $1 "
                            + "ORDER BY change_id DESC LIMIT $2", [PostgresValue(version), PostgresValue(limit)])
                } else {
                    try await client.query(
                        "SELECT \(StageChange.columns) FROM model_stage_changes ORDER BY change_id DESC LIMIT $1",
                        [PostgresValue(limit)])
                }
            return try rows.map(StageChange.init(row:)).reversed()
        }
    }

    /// The versions replicas should serve: champion, canary (with its share) and shadow, with their checksums.
    public func servingPlan() async throws(RegistryError) -> ServingPlan {
        let rows = try await run {
            try await client.query(
                "SELECT version, stage, checksum, canary_share FROM model_versions "
                    + "WHERE stage IN ('champion', 'canary', 'shadow')")
        }
        return try await run {
            var plan = ServingPlan()
            for row in rows {
                let entry = ServingPlan.Entry(
                    version: try row.string("version") ?? "", checksum: try row.string("checksum") ?? "")
                switch try row.string("stage") {
                case "champion": plan.champion = entry
                case "shadow": plan.shadow = entry
                case "canary": plan.canary = (try row.double("canary_share")).map { .init(entry: entry, share: $0) }
                default: break
                }
            }
            return plan
        }
    }

    /// Loads `version`'s stored bundle and verifies it: archive checksum, archive structure, then the bundle
    /// loader's manifest, schema and model-file checks (`expectedSchema`).
    ///
    /// - Throws: `.notFound`, `.corruptBundle` (never served), `.unavailable`.
    public func loadBundle(_ version: String, expectedSchema: FeatureSchema = .current) async throws(RegistryError)
        -> ModelBundle
    {
        try Self.validate(version: version)
        let rows = try await run {
            try await client.query(
                "SELECT bundle, checksum FROM model_versions WHERE version = $1", [PostgresValue(version)])
        }
        guard let row = rows.first else { throw RegistryError(.notFound, "model version \(version) is not registered") }
        let (archive, checksum) = try await run { (try row.bytes("bundle") ?? [], try row.string("checksum") ?? "") }
        return try BundleArchive.load(archive, checksum: checksum, version: version, expectedSchema: expectedSchema)
    }

    // MARK: - Changing

    /// Registers the bundle in `directory` as a `candidate`: it is loaded and validated first, then archived with
    /// its manifest, holdout metrics, training-data digest and checksum.
    ///
    /// - Throws: `.invalidArgument` (not a valid bundle, bad principal), `.conflict` (version already registered).
    @discardableResult
    public func register(directory: String, by principal: String, mlflowRunID: String? = nil)
        async throws(RegistryError) -> ModelVersionRecord
    {
        try Self.validate(principal: principal)
        let bundle: ModelBundle
        do {
            bundle = try ModelBundle.load(from: directory)
        } catch {
            throw RegistryError(.invalidArgument, "\(directory) is not a valid bundle: \(error.message)")
        }
        let archive = try BundleArchive.pack(directory: directory)
        let manifestPath = directory + "/" + ModelBundle.manifestFile
        guard let manifestData = FileManager.default.contents(atPath: manifestPath) else {
            throw RegistryError(.invalidArgument, "cannot read \(manifestPath)")
        }
        return try await register(
            version: bundle.version, manifestJSON: String(decoding: manifestData, as: UTF8.self), archive: archive,
            dataDigest: bundle.manifest.trainingData.sha256, by: principal, mlflowRunID: mlflowRunID)
    }

    /// Stores an already packed archive (tests use it to store a corrupt one; `register(directory:by:)` validates).
    @discardableResult
    func register(
        version: String, manifestJSON: String, archive: [UInt8], dataDigest: String, by principal: String,
        mlflowRunID: String?
    ) async throws(RegistryError) -> ModelVersionRecord {
        try Self.validate(version: version)
        if let mlflowRunID {
            guard (1...128).contains(mlflowRunID.utf8.count), mlflowRunID.allSatisfy({ $0.isLetter || $0.isNumber })
            else { throw RegistryError(.invalidArgument, "mlflow run id '\(mlflowRunID)' is not 1–128 alphanumerics") }
        }
        let checksum = SHA256.hex(of: archive)
        try await change { tx in
            do {
                try await tx.execute(
                    """
                    INSERT INTO model_versions (version, manifest, metrics, data_digest, checksum, bundle, bundle_bytes,
                        registered_by, mlflow_run_id)
                    VALUES ($1, $2::jsonb, $2::jsonb -> 'evaluation', $3, $4, $5::bytea, $6, $7, $8)
                    """,
                    [
                        PostgresValue(version), PostgresValue(manifestJSON), PostgresValue(dataDigest),
                        PostgresValue(checksum), PostgresValue(bytes: archive), PostgresValue(archive.count),
                        PostgresValue(principal), mlflowRunID.map { PostgresValue($0) },
                    ])
            } catch let error as StoreError where error.sqlState == "23505" {
                throw RegistryError(.conflict, "model version \(version) is already registered")
            }
            try await Self.audit(
                tx, version: version, action: "register", from: nil, to: .candidate, share: nil, by: principal)
        }
        return try await show(version)
    }

    /// Records `principal`'s approval of `version` for promotion to champion.
    ///
    /// - Throws: `.selfApprovalRefused` when `principal` registered it and `selfApprovalPermitted` is false
    ///   (the CLI and gateway permit it only with `TXAD_ALLOW_SELF_APPROVAL=1` and an explicit request).
    @discardableResult
    public func approve(_ version: String, by principal: String, selfApprovalPermitted: Bool = false)
        async throws(RegistryError) -> ModelVersionRecord
    {
        try Self.validate(version: version)
        try Self.validate(principal: principal)
        try await change { tx in
            let current = try await Self.lockedRow(tx, version)
            if current.registeredBy == principal && !selfApprovalPermitted {
                throw RegistryError(
                    .selfApprovalRefused,
                    "\(principal) registered \(version) and cannot approve it too: another principal must approve "
                        + "(self-approval only with --self-approve and TXAD_ALLOW_SELF_APPROVAL=1)")
            }
            try await tx.execute(
                "UPDATE model_versions SET approved_by = $2, approved_at = now() WHERE version = $1",
                [PostgresValue(version), PostgresValue(principal)])
            try await Self.audit(
                tx, version: version, action: "approve", from: current.stage, to: current.stage,
                share: current.canaryShare, by: principal)
        }
        return try await show(version)
    }

    /// Moves `version` to `target`, moving the previous holder of that stage to `archived`.
    ///
    /// - Throws: `.approvalRequired` for champion without an approval, `.conflict` when the version already is
    ///   the champion and the target is another stage (promote a successor or roll back instead), `.notFound`.
    @discardableResult
    public func promote(_ version: String, to target: PromotionTarget, by principal: String)
        async throws(RegistryError) -> ModelVersionRecord
    {
        try Self.validate(version: version)
        try Self.validate(principal: principal)
        if case .canary(let share) = target { _ = try CanaryShare.validated(share) }
        try await change { tx in
            let current = try await Self.lockedRow(tx, version)
            if current.stage == .champion && target != .champion {
                throw RegistryError(
                    .conflict,
                    "\(version) is the champion; promote another version to champion or roll back first")
            }
            if target == .champion && current.approvedBy == nil {
                throw RegistryError(
                    .approvalRequired,
                    "\(version) needs an approval before it becomes champion: `txad models approve \(version)` "
                        + "by a principal other than \(current.registeredBy)")
            }
            let share: Double? = if case .canary(let share) = target { share } else { nil }
            if current.stage == target.stage && current.canaryShare == share { return }
            if target.stage != .archived {
                try await Self.replaceHolder(tx, of: target.stage, except: version, by: principal)
            }
            try await Self.setStage(tx, version, target.stage, share: share)
            try await Self.audit(
                tx, version: version, action: "promote", from: current.stage, to: target.stage, share: share,
                by: principal)
        }
        return try await show(version)
    }

    /// Makes the previous champion (the latest other version that was champion, per the audit trail) champion
    /// again after checking its stored bundle; the current champion becomes `archived`. Returns the new champion.
    ///
    /// - Throws: `.notFound` without a champion, `.conflict` without an earlier champion, `.corruptBundle` when the
    ///   earlier champion's bundle no longer verifies (nothing changes).
    @discardableResult
    public func rollback(by principal: String) async throws(RegistryError) -> ModelVersionRecord {
        try Self.validate(principal: principal)
        let previous: String = try await change { tx in
            let champion = try await tx.query(
                "SELECT version FROM model_versions WHERE stage = 'champion'"
            ).first.flatMap { try $0.string("version") }
            guard let champion else { throw RegistryError(.notFound, "there is no champion to roll back from") }
            let earlier = try await tx.query(
                """
                SELECT version FROM model_stage_changes
                WHERE to_stage = 'champion' AND action IN ('promote', 'rollback') AND version <> $1
                ORDER BY change_id DESC LIMIT 1
                """, [PostgresValue(champion)]
            ).first.flatMap { try $0.string("version") }
            guard let earlier else {
                throw RegistryError(.conflict, "\(champion) is the only version that was ever champion")
            }
            return earlier
        }
        _ = try await loadBundle(previous)  // refuse before changing anything
        try await change { tx in
            let champion = try await tx.query(
                "SELECT version FROM model_versions WHERE stage = 'champion'"
            ).first.flatMap { try $0.string("version") }
            let target = try await Self.lockedRow(tx, previous)
            if let champion {
                try await Self.setStage(tx, champion, .archived, share: nil)
                try await Self.audit(
                    tx, version: champion, action: "rollback", from: .champion, to: .archived, share: nil,
                    by: principal)
            }
            try await Self.setStage(tx, previous, .champion, share: nil)
            try await Self.audit(
                tx, version: previous, action: "rollback", from: target.stage, to: .champion, share: nil,
                by: principal)
        }
        return try await show(previous)
    }

    // MARK: - Helpers

    /// The version's row, locked for the transaction. - Throws: `.notFound`.
    private static func lockedRow(_ tx: PostgresTransaction, _ version: String) async throws -> ModelVersionRecord {
        let rows = try await tx.query(
            "SELECT \(ModelVersionRecord.columns) FROM model_versions WHERE version = $1 FOR UPDATE",
            [PostgresValue(version)])
        guard let row = rows.first else { throw RegistryError(.notFound, "model version \(version) is not registered") }
        return try ModelVersionRecord(row: row)
    }

    /// Moves whoever holds `stage` (other than `version`) to `archived`, audited as `replace`.
    private static func replaceHolder(
        _ tx: PostgresTransaction, of stage: ModelStage, except version: String, by principal: String
    ) async throws {
        let rows = try await tx.query(
            "SELECT version, canary_share FROM model_versions WHERE stage = $1 AND version <> $2",
            [PostgresValue(stage.rawValue), PostgresValue(version)])
        for row in rows {
            guard let holder = try row.string("version") else { continue }
            try await setStage(tx, holder, .archived, share: nil)
            try await audit(
                tx, version: holder, action: "replace", from: stage, to: .archived, share: nil, by: principal)
        }
    }

    private static func setStage(_ tx: PostgresTransaction, _ version: String, _ stage: ModelStage, share: Double?)
        async throws
    {
        try await tx.execute(
            "UPDATE model_versions SET stage = $2, canary_share = $3 WHERE version = $1",
            [PostgresValue(version), PostgresValue(stage.rawValue), share.map { PostgresValue($0) }])
    }

    /// Appends an audit row and queues the change's NOTIFY (delivered on commit).
    private static func audit(
        _ tx: PostgresTransaction, version: String, action: String, from: ModelStage?, to: ModelStage, share: Double?,
        by principal: String
    ) async throws {
        try await tx.execute(
            """
            INSERT INTO model_stage_changes (version, action, from_stage, to_stage, canary_share, actor)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            [
                PostgresValue(version), PostgresValue(action), from.map { PostgresValue($0.rawValue) },
                PostgresValue(to.rawValue), share.map { PostgresValue($0) }, PostgresValue(principal),
            ])
        _ = try await tx.query(
            "SELECT pg_notify($1, $2)", [PostgresValue(RegistrySchema.notifyChannel), PostgresValue(version)])
    }

    /// Runs `body` in a transaction holding the registry's advisory lock, mapping errors.
    @discardableResult
    private func change<T: Sendable>(_ body: @Sendable (PostgresTransaction) async throws -> T)
        async throws(RegistryError) -> T
    {
        try await run {
            try await client.withTransaction { tx in
                _ = try await tx.query("SELECT pg_advisory_xact_lock($1)", [PostgresValue(Self.lockKey)])
                return try await body(tx)
            }
        }
    }

    /// Runs `body`, turning store errors into registry errors.
    private func run<T>(_ body: () async throws -> T) async throws(RegistryError) -> T {
        do {
            return try await body()
        } catch let error as RegistryError {
            throw error
        } catch let error as StoreError {
            throw Self.map(error)
        } catch {
            throw RegistryError(.storeFailure, "model registry: \(error)")
        }
    }

    static func map(_ error: StoreError) -> RegistryError {
        if error.code == .unavailable || error.code == .shutDown {
            return RegistryError(.unavailable, "model registry unavailable: \(error.message)")
        }
        if error.sqlState == "42P01" {
            return RegistryError(
                .unavailable,
                "the model registry tables do not exist in this database; start txad-alerts once against it "
                    + "(it applies the migrations, 30–31 for the registry) or run `txad up`")
        }
        return RegistryError(.storeFailure, "model registry: \(error.message)")
    }

    /// Versions follow the bundle rule: 1–64 of `[A-Za-z0-9._-]`.
    static func validate(version: String) throws(RegistryError) {
        do {
            try ModelBundle.validate(version: version)
        } catch {
            throw RegistryError(.invalidArgument, error.message)
        }
    }

    /// A principal is 1–200 characters without control characters.
    static func validate(principal: String) throws(RegistryError) {
        guard (1...200).contains(principal.count),
            !principal.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw RegistryError(.invalidArgument, "principal must be 1–200 characters without control characters")
        }
    }
}

/// What replicas should serve, as the registry says.
public struct ServingPlan: Sendable, Hashable {
    /// A version and the checksum of its stored bundle.
    public struct Entry: Sendable, Hashable {
        public var version: String
        public var checksum: String

        /// Creates an entry.
        public init(version: String, checksum: String) {
            self.version = version
            self.checksum = checksum
        }
    }

    /// The canary and its share of users.
    public struct Canary: Sendable, Hashable {
        public var entry: Entry
        public var share: Double

        /// Creates a canary entry.
        public init(entry: Entry, share: Double) {
            self.entry = entry
            self.share = share
        }
    }

    public var champion: Entry?
    public var canary: Canary?
    public var shadow: Entry?

    /// An empty plan.
    public init(champion: Entry? = nil, canary: Canary? = nil, shadow: Entry? = nil) {
        self.champion = champion
        self.canary = canary
        self.shadow = shadow
    }
}
