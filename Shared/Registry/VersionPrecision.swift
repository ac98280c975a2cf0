import Stores

/// Precision of the alerts analysts decided, per model version that scored them (`alerts.model_version`): of the
/// decided alerts (confirmed fraud or legitimate), the share confirmed as fraud. The alerts service exports it as
/// `txad_alerts_precision{model_version}`; `txad models compare` and `backtest` report it for a pair of versions.
public struct VersionPrecision: Sendable, Hashable {
    /// The version that scored the alerts.
    public var version: String
    /// Decided alerts of that version, and how many of them analysts confirmed as fraud.
    public var decided: Int
    public var confirmedFraud: Int
    /// `confirmedFraud / decided`; nil before any decision.
    public var precision: Double? { decided == 0 ? nil : Double(confirmedFraud) / Double(decided) }

    /// Every version with decided alerts, by version.
    ///
    /// - Throws: `.unavailable` without the alerts schema or database; `.storeFailure`.
    public static func perVersion(client: PostgresClient) async throws(RegistryError) -> [VersionPrecision] {
        try await query(client: client, version: nil)
    }

    /// The figures of `version` alone (`decided` 0 before any decision), for `txad models show V`.
    ///
    /// - Throws: `.unavailable` without the alerts schema or database; `.storeFailure`.
    public static func of(_ version: String, client: PostgresClient) async throws(RegistryError) -> VersionPrecision {
        try await query(client: client, version: version).first
            ?? VersionPrecision(version: version, decided: 0, confirmedFraud: 0)
    }

    /// The one query behind both: decided alerts grouped by version, optionally of one version.
    private static func query(client: PostgresClient, version: String?) async throws(RegistryError)
        -> [VersionPrecision]
    {
        do {
            let filter = version == nil ? "" : "AND model_version = $1"
            let parameters: [PostgresValue?] = version.map { [PostgresValue($0)] } ?? []
            let rows = try await client.query(
                """
                SELECT model_version, count(*) AS decided, count(*) FILTER (WHERE status = 'confirmed_fraud') AS fraud
                FROM alerts WHERE status IN ('confirmed_fraud', 'legitimate') \(filter)
                GROUP BY model_version ORDER BY model_version
                """, parameters)
            return try rows.map { row in
                VersionPrecision(
                    version: try row.string("model_version") ?? "", decided: try row.int("decided") ?? 0,
                    confirmedFraud: try row.int("fraud") ?? 0)
            }
        } catch let error as StoreError {
            if error.sqlState == "42P01" {
                throw RegistryError(
                    .unavailable, "no alerts table in this database; precision reads the alerts service's alerts")
            }
            throw BundleRegistry.map(error)
        } catch {
            throw RegistryError(.storeFailure, "precision per version: \(error)")
        }
    }
}
