import Stores

/// One transaction scored by the champion (answered) and a shadow (recorded only).
public struct ShadowScoreRow: Sendable, Hashable {
    public var transactionID: String
    public var championVersion: String
    public var challengerVersion: String
    public var championScore: Double
    public var challengerScore: Double
    public var championRisk: String
    public var challengerRisk: String
    public var championAnomaly: Bool
    public var challengerAnomaly: Bool

    /// Creates a row.
    public init(
        transactionID: String, championVersion: String, challengerVersion: String, championScore: Double,
        challengerScore: Double, championRisk: String, challengerRisk: String, championAnomaly: Bool,
        challengerAnomaly: Bool
    ) {
        self.transactionID = transactionID
        self.championVersion = championVersion
        self.challengerVersion = challengerVersion
        self.championScore = championScore
        self.challengerScore = challengerScore
        self.championRisk = championRisk
        self.challengerRisk = challengerRisk
        self.championAnomaly = championAnomaly
        self.challengerAnomaly = challengerAnomaly
    }
}

/// Writes shadow scores to `model_shadow_scores`, many rows per statement (one array per column); a transaction
/// already recorded for that challenger is kept as it was (`ON CONFLICT DO NOTHING`), so a replay is harmless.
public struct ShadowScoreStore: Sendable {
    private let client: PostgresClient

    /// A store over `client`.
    public init(client: PostgresClient) {
        self.client = client
    }

    /// Inserts `rows` in one statement; returns how many were new.
    @discardableResult
    public func record(_ rows: [ShadowScoreRow]) async throws(RegistryError) -> Int {
        guard !rows.isEmpty else { return 0 }
        func column(_ value: (ShadowScoreRow) -> PostgresValue) -> PostgresValue? {
            PostgresValue(array: rows.map { value($0) })
        }
        do {
            return try await client.execute(
                """
                INSERT INTO model_shadow_scores (transaction_id, champion_version, challenger_version, champion_score,
                    challenger_score, champion_risk, challenger_risk, champion_anomaly, challenger_anomaly)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[],
                    $7::text[], $8::bool[], $9::bool[])
                ON CONFLICT DO NOTHING
                """,
                [
                    column { PostgresValue($0.transactionID) }, column { PostgresValue($0.championVersion) },
                    column { PostgresValue($0.challengerVersion) }, column { PostgresValue($0.championScore) },
                    column { PostgresValue($0.challengerScore) }, column { PostgresValue($0.championRisk) },
                    column { PostgresValue($0.challengerRisk) }, column { PostgresValue($0.championAnomaly) },
                    column { PostgresValue($0.challengerAnomaly) },
                ])
        } catch let error as StoreError {
            throw BundleRegistry.map(error)
        } catch {
            throw RegistryError(.storeFailure, "shadow scores: \(error)")
        }
    }
}
