import Auth
import Foundation
import Mustache

/// The page templates (`Resources/templates/*.mustache`), parsed once at start-up into a `MustacheLibrary`.
///
/// Every page is its own template rendered from a view-model struct; the result goes into `layout.mustache` as
/// the `body`. Mustache escapes `{{value}}` for HTML by default; the only unescaped values (`{{{…}}}`) are the
/// rendered page body and server-made SVG, both built from escaped parts.
public struct DashboardTemplates: Sendable {
    private let library: MustacheLibrary

    /// Parses `templates` (name → Mustache source).
    public init(templates: [String: String]) throws {
        var library = MustacheLibrary()
        for (name, source) in templates {
            do {
                try library.register(source, named: name)
            } catch {
                throw DashboardError("template \(name) does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// Loads every `.mustache` file of the module's `Resources/templates`.
    public static func bundled() throws -> DashboardTemplates {
        let directory = try DashboardResources.directory("templates")
        var templates: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path)
        where name.hasSuffix(".mustache") {
            templates[String(name.dropLast(".mustache".count))] = try String(
                contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        }
        return try DashboardTemplates(templates: templates)
    }

    /// `view` rendered with the template `name`; nil when there is no such template.
    func render(_ view: Any, template name: String) -> String? {
        library.render(view, withTemplate: name)
    }

    /// A whole HTML page: `view` rendered with `template`, inside the layout.
    func page(
        title: String, current: String, template: String, view: Any, principal: Principal?, assets: DashboardAssets
    ) -> String? {
        guard let body = render(view, template: template) else { return nil }
        return render(
            DashboardLayout(title: title, current: current, principal: principal, assets: assets, body: body),
            template: "layout")
    }
}
