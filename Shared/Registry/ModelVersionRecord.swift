import Stores

/// One registered version as `list` and `show` report it (everything but the bundle bytes).
public struct ModelVersionRecord: Sendable, Hashable {
    public var version: String
    public var stage: ModelStage
    /// The canary's share of users, for a canary.
    public var canaryShare: Double?
    /// SHA-256 of the stored bundle archive.
    public var checksum: String
    /// SHA-256 of the training data, from the manifest.
    public var dataDigest: String
    /// Size of the stored bundle archive.
    public var bundleBytes: Int
    /// When the bundle was trained (manifest `created`, RFC 3339).
    public var created: String
    public var registeredBy: String
    /// RFC 3339, UTC, milliseconds.
    public var registeredAt: String
    public var approvedBy: String?
    public var approvedAt: String?
    /// The MLflow run that produced it, when tracked.
    public var mlflowRunID: String?
    /// Holdout ensemble ROC AUC and PR AUC, when the bundle was evaluated.
    public var rocAUC: Double?
    public var prAUC: Double?

    /// Columns every query selecting records returns.
    static let columns = """
        version, stage, canary_share, checksum, data_digest, bundle_bytes, manifest->>'created' AS created,
        registered_by, \(RegistryTime.column("registered_at")) AS registered_at, approved_by,
        \(RegistryTime.column("approved_at")) AS approved_at, mlflow_run_id,
        (metrics->'ensemble'->>'roc_auc')::float8 AS roc_auc, (metrics->'ensemble'->>'pr_auc')::float8 AS pr_auc
        """

    init(row: PostgresRow) throws {
        version = try row.string("version") ?? ""
        guard let stage = try row.string("stage").flatMap(ModelStage.init(rawValue:)) else {
            throw RegistryError(.storeFailure, "model_versions.stage of \(version) is not a known stage")
        }
        self.stage = stage
        canaryShare = try row.double("canary_share")
        checksum = try row.string("checksum") ?? ""
        dataDigest = try row.string("data_digest") ?? ""
        bundleBytes = try row.int("bundle_bytes") ?? 0
        created = try row.string("created") ?? ""
        registeredBy = try row.string("registered_by") ?? ""
        registeredAt = try row.string("registered_at") ?? ""
        approvedBy = try row.string("approved_by")
        approvedAt = try row.string("approved_at")
        mlflowRunID = try row.string("mlflow_run_id")
        rocAUC = try row.double("roc_auc")
        prAUC = try row.double("pr_auc")
    }
}

/// One audited stage change (or registration, or approval).
public struct StageChange: Sendable, Hashable {
    public var id: Int64
    public var version: String
    /// `register`, `promote`, `replace` (moved out by another promotion), `rollback`, `approve`.
    public var action: String
    public var fromStage: ModelStage?
    public var toStage: ModelStage
    public var canaryShare: Double?
    /// The principal who made the change.
    public var actor: String
    /// RFC 3339, UTC, milliseconds.
    public var changedAt: String

    static let columns = """
        change_id, version, action, from_stage, to_stage, canary_share, actor,
        \(RegistryTime.column("changed_at")) AS changed_at
        """

    init(row: PostgresRow) throws {
        id = try row.int64("change_id") ?? 0
        version = try row.string("version") ?? ""
        action = try row.string("action") ?? ""
        fromStage = try row.string("from_stage").flatMap(ModelStage.init(rawValue:))
        guard let to = try row.string("to_stage").flatMap(ModelStage.init(rawValue:)) else {
            throw RegistryError(.storeFailure, "model_stage_changes.to_stage of change \(id) is not a known stage")
        }
        toStage = to
        canaryShare = try row.double("canary_share")
        actor = try row.string("actor") ?? ""
        changedAt = try row.string("changed_at") ?? ""
    }
}

/// Timestamps leave the database as RFC 3339 text in UTC with milliseconds.
enum RegistryTime {
    static func column(_ name: String) -> String {
        "to_char(\(name) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }
}
