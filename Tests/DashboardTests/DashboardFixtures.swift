import Auth
import Domain
import Foundation

@testable import Dashboard
@testable import Detection

/// Shared inputs of the dashboard tests: hostile text, the module's templates and assets, a small trained bundle.
enum DashboardFixtures {
    /// Text that breaks out of HTML, attributes and SVG when it is not escaped.
    static let hostile = "x<script>alert(1)</script>\"'</svg><svg onload=alert(2)>y"
    /// What ``hostile`` must look like in HTML and SVG text and attributes.
    static let hostileEscaped =
        "x&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&lt;/svg&gt;&lt;svg onload=alert(2)&gt;y"

    static let templates: DashboardTemplates = {
        do { return try DashboardTemplates.bundled() } catch { fatalError("templates: \(error)") }
    }()

    static let assets: DashboardAssets = {
        do { return try DashboardAssets.bundled() } catch { fatalError("assets: \(error)") }
    }()

    /// A principal named hostilely (the development identity takes any visible ASCII from `X-Analyst`).
    static let principal = Principal(name: hostile, role: .admin, method: .unauthenticated)

    /// A whole page as the routes render it.
    static func page(_ template: String, _ view: Any, principal: Principal? = principal) -> String {
        templates.page(
            title: "T", current: "/dashboard", template: template, view: view, principal: principal, assets: assets)
            ?? "(template \(template) missing)"
    }

    /// A small bundle trained with a holdout (so it has an evaluation and curves).
    static let outcome: TrainingPipeline.Outcome = {
        let data = try! TransactionGenerator(configuration: GeneratorConfiguration(count: 3000, users: 30, seed: 5))
            .generate()
        let source = BundleManifest.TrainingData(
            file: "fixture.csv", sha256: String(repeating: "0", count: 64), rows: 3000, badRows: 0,
            trainingRows: 2100, holdoutRows: 900, firstTimestamp: nil, lastTimestamp: nil)
        return try! TrainingPipeline.fit(
            transactions: data.transactions, labels: data.labels,
            options: TrainingOptions(
                isolationForest: .init(trees: 20), autoencoder: .init(epochs: 2), holdout: 0.3, seed: 9),
            version: "fixture-1", data: source)
    }()

    /// `GET /models/info` as the gateway renders it, around `manifest`.
    static func modelInfoReply(_ manifest: BundleManifest) -> DashboardReply {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try! encoder.encode(manifest), as: UTF8.self)
        let body =
            "{\"version\":\(quoted(manifest.version)),\"created\":\"2026-01-01T00:00:00Z\","
            + "\"feature_schema_version\":1,\"feature_names\":[],\"threshold\":0.5,"
            + "\"weights\":{\"isolation_forest\":0.5,\"autoencoder\":0.5},\"manifest\":\(json)}"
        return DashboardReply(status: 200, body: Array(body.utf8))
    }

    /// A JSON string literal.
    static func quoted(_ s: String) -> String {
        String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
    }

    /// One prediction as `POST /predict` answers it.
    static func predictionJSON(
        id: String, risk: String = "high", reason: String = "amount is 14.2× this user's average",
        version: String = "v1", cached: Bool = false, ensemble: Double = 0.97
    ) -> String {
        "{\"transaction_id\":\(quoted(id)),\"is_anomaly\":true,\"risk_level\":\(quoted(risk)),"
            + "\"scores\":{\"isolation_forest\":0.61,\"autoencoder\":0.72,\"ensemble\":\(ensemble)},"
            + "\"reasons\":[{\"code\":\"AMOUNT_HIGH\",\"feature\":\"amount_ratio_user\",\"value\":14.2,"
            + "\"text\":\(quoted(reason))}],\"model_version\":\(quoted(version)),\"degraded\":false,"
            + "\"alert_status\":\"recorded\",\"cached\":\(cached)}"
    }
}
