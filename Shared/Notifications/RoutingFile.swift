import Domain
import Foundation
import Yams

/// Loads and validates a routing file (YAML).
///
/// ```yaml
/// link_base_url: https://txad.example.com       # optional; links are <base>/alerts/<id>
/// channels:
///   oncall-pager:
///     type: pagerduty                           # slack | teams | pagerduty | sendgrid | twilio | webhook
///     routing_key_env: PAGERDUTY_ROUTING_KEY    # secrets are read from the environment, never from the file
///     max_concurrency: 8                        # requests in flight per replica; default 32, 1…1000
///   fraud-slack:
///     type: slack
///     url_env: SLACK_WEBHOOK_URL                # or url: https://hooks.slack.com/services/…
/// routes:
///   critical: [oncall-pager, fraud-slack]
///   high:
///     channels: [fraud-slack]
///     min_amount: 500                           # optional narrowing; reason_codes: [AMOUNT_HIGH] also
///     group_window: 30m                         # default 60m; 0 disables grouping
///     max_per_hour: 3                           # default 5
///   medium: []                                  # review queue only
/// ```
///
/// Every rule is checked before anything starts, and each error names the line: unknown keys and types, routes to
/// undefined channels, secret variables that are not set, URLs that are not http(s) with a host, values out of
/// range.
public enum RoutingFile {
    /// Reads and validates the file at `path`; secrets come from `environment`.
    public static func load(path: String, environment: [String: String]) throws -> RoutingConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw NotificationError(
                .invalidRoutingFile, "cannot read the routing file: \(error.localizedDescription)", file: path)
        }
        do {
            return try parse(yaml: text, environment: environment)
        } catch var error as NotificationError {
            error.file = path
            throw error
        }
    }

    /// Parses and validates routing YAML; secrets come from `environment`.
    public static func parse(yaml: String, environment: [String: String]) throws -> RoutingConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw yamlError(error)
        } catch {
            throw NotificationError(.invalidRoutingFile, "not valid YAML: \(error)")
        }
        guard let root else { return .reviewQueueOnly }
        let top = try Fields(root, what: "the routing file", allowed: ["channels", "routes", "link_base_url"])
        let linkBase =
            try top.optional("link_base_url").map { try url($0, field: "link_base_url") } ?? "http://127.0.0.1:8080"
        var channels: [String: ChannelConfiguration] = [:]
        if let node = top.node("channels") {
            guard let mapping = node.mapping else {
                throw invalid(node, "channels must be a mapping of name → settings")
            }
            for (key, value) in mapping {
                let name = try scalar(key, field: "channel name")
                channels[name] = try channel(named: name, value, environment: environment)
            }
        }
        var routes: [RoutingConfiguration.Route] = []
        if let node = top.node("routes") {
            guard let mapping = node.mapping else {
                throw invalid(node, "routes must be a mapping of risk level → channels")
            }
            for (key, value) in mapping {
                let levelText = try scalar(key, field: "risk level")
                guard let level = RiskLevel(rawValue: levelText), level >= .medium else {
                    throw invalid(key, "routes: '\(levelText)' is not an alert risk level (medium, high, critical)")
                }
                routes += try rules(for: level, value, channels: channels)
            }
        }
        return RoutingConfiguration(channels: channels, routes: routes, linkBaseURL: linkBase)
    }

    // MARK: - Channels

    private static let commonKeys: Set<String> = [
        "type", "url", "url_env", "timeout", "max_attempts", "max_concurrency",
    ]

    private static func channel(named name: String, _ node: Node, environment: [String: String]) throws
        -> ChannelConfiguration
    {
        guard let mapping = node.mapping else { throw invalid(node, "channel '\(name)' must be a mapping with a type") }
        guard let typeNode = mapping["type"] else { throw invalid(node, "channel '\(name)': type is required") }
        let typeText = try scalar(typeNode, field: "type")
        guard let type = ChannelType(rawValue: typeText) else {
            let known = ChannelType.allCases.map(\.rawValue).joined(separator: ", ")
            throw invalid(typeNode, "channel '\(name)': unknown type '\(typeText)' (expected one of \(known))")
        }
        let extra: Set<String> =
            switch type {
            case .slack, .teams: []
            case .pagerDuty: ["routing_key_env", "source"]
            case .sendGrid: ["api_key_env", "from", "to"]
            case .twilio: ["account_sid", "account_sid_env", "auth_token_env", "from", "to"]
            case .webhook: ["secret_env"]
            }
        let fields = try Fields(node, what: "channel '\(name)' (\(type.rawValue))", allowed: commonKeys.union(extra))
        let secret = { (key: String) throws -> Secret in
            guard let keyNode = fields.node(key) else {
                throw invalid(
                    node, "channel '\(name)': \(key) is required (the environment variable holding the secret)")
            }
            return try readSecret(keyNode, channel: name, field: key, environment: environment)
        }
        let defaultURL: String? =
            switch type {
            case .pagerDuty: "https://events.pagerduty.com/v2/enqueue"
            case .sendGrid: "https://api.sendgrid.com/v3/mail/send"
            case .twilio: "https://api.twilio.com"
            case .slack, .teams, .webhook: nil
            }
        var endpoint: String
        if let urlNode = fields.node("url") {
            if fields.node("url_env") != nil {
                throw invalid(urlNode, "channel '\(name)': give url or url_env, not both")
            }
            endpoint = try url(urlNode, field: "channel '\(name)': url")
        } else if let envNode = fields.node("url_env") {
            let secretURL = try readSecret(envNode, channel: name, field: "url_env", environment: environment)
            endpoint = try url(
                secretURL.value, node: envNode, field: "channel '\(name)': url from \(secretURL.variable)")
        } else if let defaultURL {
            endpoint = defaultURL
        } else {
            throw invalid(node, "channel '\(name)': url (or url_env) is required for \(type.rawValue)")
        }
        let settings: ChannelConfiguration.Settings
        switch type {
        case .slack: settings = .slack
        case .teams: settings = .teams
        case .pagerDuty:
            settings = .pagerDuty(
                routingKey: try secret("routing_key_env"),
                source: try fields.optional("source").map { try scalar($0, field: "source") } ?? "txad")
        case .sendGrid:
            let from = try email(try fields.required("from", in: name), field: "channel '\(name)': from")
            let toNode = try fields.required("to", in: name)
            let toNodes = toNode.sequence.map { Array($0) } ?? [toNode]
            let to = try toNodes.map { try email($0, field: "channel '\(name)': to") }
            guard !to.isEmpty else { throw invalid(toNode, "channel '\(name)': to needs at least one address") }
            settings = .sendGrid(apiKey: try secret("api_key_env"), from: from, to: to)
        case .twilio:
            let sid: String
            if let sidNode = fields.node("account_sid") {
                sid = try scalar(sidNode, field: "account_sid")
            } else if let sidEnv = fields.node("account_sid_env") {
                sid = try readSecret(sidEnv, channel: name, field: "account_sid_env", environment: environment).value
            } else {
                throw invalid(node, "channel '\(name)': account_sid (or account_sid_env) is required for twilio")
            }
            guard !sid.isEmpty, sid.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                throw invalid(
                    fields.node("account_sid") ?? node, "channel '\(name)': account_sid must be letters and digits")
            }
            let from = try phone(try fields.required("from", in: name), field: "channel '\(name)': from")
            let to = try phone(try fields.required("to", in: name), field: "channel '\(name)': to")
            let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
            endpoint = "\(base)/2010-04-01/Accounts/\(sid)/Messages.json"
            settings = .twilio(accountSID: sid, authToken: try secret("auth_token_env"), from: from, to: to)
        case .webhook:
            guard let secretNode = fields.node("secret_env") else {
                throw invalid(
                    node, "channel '\(name)': secret_env is required (one variable, or a list while rotating)")
            }
            let nodes = secretNode.sequence.map { Array($0) } ?? [secretNode]
            guard !nodes.isEmpty else { throw invalid(secretNode, "channel '\(name)': secret_env names no variable") }
            settings = .webhook(
                secrets: try nodes.map {
                    try readSecret($0, channel: name, field: "secret_env", environment: environment)
                })
        }
        let timeout =
            try fields.optional("timeout").map { try duration($0, field: "timeout", range: 1...300) } ?? .seconds(10)
        let maxAttempts =
            try fields.optional("max_attempts").map { try integer($0, field: "max_attempts", range: 1...100) } ?? 8
        let maxConcurrency =
            try fields.optional("max_concurrency").map {
                try integer(
                    $0, field: "channel '\(name)': max_concurrency",
                    range: 1...ChannelConfiguration.maximumMaxConcurrency)
            } ?? ChannelConfiguration.defaultMaxConcurrency
        return ChannelConfiguration(
            name: name, type: type, url: endpoint, settings: settings, timeout: timeout, maxAttempts: maxAttempts,
            maxConcurrency: maxConcurrency)
    }

    private static func readSecret(_ node: Node, channel: String, field: String, environment: [String: String]) throws
        -> Secret
    {
        let variable = try scalar(node, field: field)
        guard let value = environment[variable], !value.isEmpty else {
            throw invalid(node, "channel '\(channel)': \(field): environment variable \(variable) is not set")
        }
        return Secret(value: value, variable: variable)
    }

    // MARK: - Routes

    private static func rules(for level: RiskLevel, _ node: Node, channels: [String: ChannelConfiguration]) throws
        -> [RoutingConfiguration.Route]
    {
        if case .scalar(let scalar) = node, ["", "~", "null"].contains(scalar.string) {
            return [RoutingConfiguration.Route(riskLevel: level, channels: [])]
        }
        if let sequence = node.sequence {
            let items = Array(sequence)
            if items.allSatisfy({ $0.mapping != nil }) && !items.isEmpty {
                return try items.map { try rule(for: level, $0, channels: channels) }
            }
            let names = try channelNames(node, level: level, channels: channels)
            return [RoutingConfiguration.Route(riskLevel: level, channels: names)]
        }
        return [try rule(for: level, node, channels: channels)]
    }

    private static func rule(for level: RiskLevel, _ node: Node, channels: [String: ChannelConfiguration]) throws
        -> RoutingConfiguration.Route
    {
        let fields = try Fields(
            node, what: "route '\(level.rawValue)'",
            allowed: ["channels", "reason_codes", "min_amount", "group_window", "max_per_hour"])
        let names = try channelNames(
            try fields.required("channels", in: "route \(level.rawValue)"), level: level, channels: channels)
        let codes = try fields.optional("reason_codes").map { Set(try list($0, field: "reason_codes")) }
        let amount = try fields.optional("min_amount").map { node -> Double in
            guard let value = Double(try scalar(node, field: "min_amount")), value.isFinite, value >= 0 else {
                throw invalid(node, "route '\(level.rawValue)': min_amount must be a number ≥ 0")
            }
            return value
        }
        let window = try fields.optional("group_window").map {
            try duration($0, field: "group_window", range: 0...86_400)
        }
        let cap = try fields.optional("max_per_hour").map { try integer($0, field: "max_per_hour", range: 1...1000) }
        return RoutingConfiguration.Route(
            riskLevel: level, channels: names, reasonCodes: codes, minimumAmount: amount,
            groupWindow: window ?? .seconds(3600), maxPerHour: cap ?? 5)
    }

    private static func channelNames(_ node: Node, level: RiskLevel, channels: [String: ChannelConfiguration]) throws
        -> [String]
    {
        guard let sequence = node.sequence else {
            throw invalid(node, "route '\(level.rawValue)': channels must be a list of channel names")
        }
        return try sequence.map { item in
            let name = try scalar(item, field: "channel name")
            guard channels[name] != nil else {
                let defined = channels.keys.sorted().joined(separator: ", ")
                throw invalid(
                    item,
                    "route '\(level.rawValue)': channel '\(name)' is not defined under channels (defined: \(defined.isEmpty ? "none" : defined))"
                )
            }
            return name
        }
    }

    // MARK: - Scalars

    private static func scalar(_ node: Node, field: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw invalid(node, "\(field) must be a single value") }
        return scalar.string
    }

    private static func list(_ node: Node, field: String) throws -> [String] {
        guard let sequence = node.sequence else { throw invalid(node, "\(field) must be a list") }
        return try sequence.map { try scalar($0, field: field) }
    }

    private static func url(_ node: Node, field: String) throws -> String {
        try url(try scalar(node, field: field), node: node, field: field)
    }

    private static func url(_ text: String, node: Node, field: String) throws -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", components.host?.isEmpty == false
        else {
            throw invalid(
                node, "\(field): '\(ChannelConfiguration.maskingURL(text))' is not an http(s) URL with a host")
        }
        return text
    }

    private static func email(_ node: Node, field: String) throws -> String {
        let text = try scalar(node, field: field)
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !text.contains(where: \.isWhitespace) else {
            throw invalid(node, "\(field): '\(text)' is not an e-mail address")
        }
        return text
    }

    private static func phone(_ node: Node, field: String) throws -> String {
        let text = try scalar(node, field: field)
        guard text.hasPrefix("+"), text.count >= 8, text.count <= 16, text.dropFirst().allSatisfy(\.isNumber) else {
            throw invalid(node, "\(field): '\(text)' is not an E.164 phone number (+ and 7–15 digits)")
        }
        return text
    }

    private static func integer(_ node: Node, field: String, range: ClosedRange<Int>) throws -> Int {
        let text = try scalar(node, field: field)
        guard let value = Int(text), range.contains(value) else {
            throw invalid(node, "\(field): '\(text)' is not a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    /// `90` (seconds), `30s`, `15m`, `2h`.
    private static func duration(_ node: Node, field: String, range: ClosedRange<Int>) throws -> Duration {
        let text = try scalar(node, field: field).trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [("h", 3600), ("m", 60), ("s", 1)]
        var seconds: Int?
        if let value = Int(text) {
            seconds = value
        } else {
            for (suffix, factor) in units where text.hasSuffix(suffix) {
                if let value = Int(text.dropLast()) { seconds = value * factor }
                break
            }
        }
        guard let seconds, range.contains(seconds) else {
            throw invalid(
                node,
                "\(field): '\(text)' is not a duration like 30s, 15m or 2h within \(range.lowerBound)…\(range.upperBound) s"
            )
        }
        return .seconds(seconds)
    }

    static func invalid(_ node: Node, _ message: String) -> NotificationError {
        NotificationError(.invalidRoutingFile, message, line: node.mark?.line, column: node.mark?.column)
    }

    private static func yamlError(_ error: YamlError) -> NotificationError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return NotificationError(
                .invalidRoutingFile, "not valid YAML: \(detail)", line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return NotificationError(
                .invalidRoutingFile, "duplicate keys: \(duplicates.joined(separator: ", "))", line: context.mark.line,
                column: context.mark.column)
        default:
            return NotificationError(.invalidRoutingFile, "not valid YAML: \(error)")
        }
    }
}

/// The keys of one YAML mapping, checked against the keys its place allows.
private struct Fields {
    let node: Node
    let what: String
    private var values: [String: Node] = [:]

    init(_ node: Node, what: String, allowed: Set<String>) throws {
        self.node = node
        self.what = what
        guard let mapping = node.mapping else { throw RoutingFile.invalid(node, "\(what) must be a mapping") }
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key, allowed.contains(scalar.string) else {
                let name = key.string ?? "?"
                throw RoutingFile.invalid(
                    key, "\(what): unknown key '\(name)' (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            values[scalar.string] = value
        }
    }

    func node(_ key: String) -> Node? { values[key] }

    func optional(_ key: String) throws -> Node? { values[key] }

    func required(_ key: String, in owner: String) throws -> Node {
        guard let value = values[key] else { throw RoutingFile.invalid(node, "\(owner): \(key) is required") }
        return value
    }
}
