import Stores

/// The model registry's tables, as migrations in the registry's version range (30–39).
///
/// They are applied by the alerts service with the rest of the schema (`AlertSchema` appends this list), because
/// `PostgresMigrator` keeps one history per database and refuses versions it does not know: a second migrator
/// owning only these versions would make the alerts service refuse to start, and the other way round.
public enum RegistrySchema {
    /// `NOTIFY` channel on which every stage change is announced (payload: the version).
    public static let notifyChannel = "txad_model_registry"

    /// Migrations 30 (versions, stage changes) and 31 (shadow scores).
    public static let migrations: [Migration] = [
        Migration(
            version: 30, name: "create_model_registry",
            sql: """
                CREATE TABLE model_versions (
                    version        text PRIMARY KEY,
                    manifest       jsonb NOT NULL,
                    metrics        jsonb,
                    data_digest    text NOT NULL,
                    checksum       text NOT NULL,
                    bundle         bytea NOT NULL,
                    bundle_bytes   integer NOT NULL,
                    stage          text NOT NULL DEFAULT 'candidate'
                                   CHECK (stage IN ('candidate', 'shadow', 'canary', 'champion', 'archived')),
                    canary_share   double precision CHECK (canary_share > 0 AND canary_share < 1),
                    registered_by  text NOT NULL,
                    registered_at  timestamptz NOT NULL DEFAULT now(),
                    approved_by    text,
                    approved_at    timestamptz,
                    mlflow_run_id  text,
                    CHECK ((stage = 'canary') = (canary_share IS NOT NULL))
                );
                CREATE UNIQUE INDEX model_versions_one_champion ON model_versions (stage) WHERE stage = 'champion';
                CREATE UNIQUE INDEX model_versions_one_canary ON model_versions (stage) WHERE stage = 'canary';
                CREATE UNIQUE INDEX model_versions_one_shadow ON model_versions (stage) WHERE stage = 'shadow';
                CREATE TABLE model_stage_changes (
                    change_id     bigserial PRIMARY KEY,
                    version       text NOT NULL REFERENCES model_versions (version),
                    action        text NOT NULL
                                  CHECK (action IN ('register', 'promote', 'replace', 'rollback', 'approve')),
                    from_stage    text,
                    to_stage      text NOT NULL,
                    canary_share  double precision,
                    actor         text NOT NULL,
                    changed_at    timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX model_stage_changes_version ON model_stage_changes (version, change_id);
                """),
        Migration(
            version: 31, name: "create_model_shadow_scores",
            sql: """
                CREATE TABLE model_shadow_scores (
                    transaction_id      text NOT NULL,
                    champion_version    text NOT NULL,
                    challenger_version  text NOT NULL,
                    champion_score      double precision NOT NULL,
                    challenger_score    double precision NOT NULL,
                    champion_risk       text NOT NULL,
                    challenger_risk     text NOT NULL,
                    champion_anomaly    boolean NOT NULL,
                    challenger_anomaly  boolean NOT NULL,
                    scored_at           timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (challenger_version, transaction_id)
                );
                CREATE INDEX model_shadow_scores_pair ON model_shadow_scores (champion_version, challenger_version,
                    scored_at);
                """),
    ]
}
