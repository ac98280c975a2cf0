import Domain

/// Which channels hear about which alerts: the parsed and validated routing file (SPEC §5).
///
/// Without a file (``reviewQueueOnly``) alerts go to the review queue only and no notification is enqueued.
public struct RoutingConfiguration: Sendable {
    /// One routing rule: for alerts of `riskLevel` (narrowed, optionally, by reason code and amount) notify
    /// `channels`, grouping per user.
    public struct Route: Sendable {
        /// The risk level the rule applies to.
        public var riskLevel: RiskLevel
        /// Channel names, all defined in ``RoutingConfiguration/channels``.
        public var channels: [String]
        /// When set, only alerts with at least one of these reason codes match.
        public var reasonCodes: Set<String>?
        /// When set, only alerts of at least this amount match.
        public var minimumAmount: Double?
        /// Alerts of the same user within this window after a notification are sent as one follow-up at its
        /// end (0: no grouping). Default 60 min.
        public var groupWindow: Duration
        /// At most this many notifications per user and channel in any hour. Default 5.
        public var maxPerHour: Int

        /// Creates a rule.
        public init(
            riskLevel: RiskLevel, channels: [String], reasonCodes: Set<String>? = nil, minimumAmount: Double? = nil,
            groupWindow: Duration = .seconds(3600), maxPerHour: Int = 5
        ) {
            self.riskLevel = riskLevel
            self.channels = channels
            self.reasonCodes = reasonCodes
            self.minimumAmount = minimumAmount
            self.groupWindow = groupWindow
            self.maxPerHour = maxPerHour
        }

        func matches(riskLevel: RiskLevel, reasonCodes codes: [String], amount: Double) -> Bool {
            guard riskLevel == self.riskLevel else { return false }
            if let reasonCodes, !codes.contains(where: reasonCodes.contains) { return false }
            if let minimumAmount, amount < minimumAmount { return false }
            return true
        }
    }

    /// A channel an alert is routed to, with the grouping limits of the rule that chose it.
    public struct RoutedChannel: Sendable, Hashable {
        /// The channel's name.
        public var name: String
        /// The channel's type.
        public var type: ChannelType
        /// The grouping window in whole seconds.
        public var groupWindowSeconds: Int
        /// Notifications per user and channel per hour.
        public var maxPerHour: Int
    }

    /// Channels by name.
    public var channels: [String: ChannelConfiguration]
    /// Rules in file order.
    public var routes: [Route]
    /// Base of the links put in notifications: `<base>/alerts/<id>`. Default `http://127.0.0.1:8080`.
    public var linkBaseURL: String

    /// Creates a configuration; ``RoutingFile`` builds validated ones from YAML.
    public init(
        channels: [String: ChannelConfiguration], routes: [Route], linkBaseURL: String = "http://127.0.0.1:8080"
    ) {
        self.channels = channels
        self.routes = routes
        self.linkBaseURL = linkBaseURL
    }

    /// No channels: the review queue only.
    public static let reviewQueueOnly = RoutingConfiguration(channels: [:], routes: [])

    /// Whether any alert can be routed to a channel.
    public var hasRoutes: Bool { routes.contains { !$0.channels.isEmpty } }

    /// The channels an alert goes to: the union over every matching rule, in file order, each channel once (with
    /// the limits of the first rule naming it).
    public func channels(riskLevel: RiskLevel, reasonCodes: [String], amount: Double) -> [RoutedChannel] {
        var seen: Set<String> = []
        var result: [RoutedChannel] = []
        for route in routes where route.matches(riskLevel: riskLevel, reasonCodes: reasonCodes, amount: amount) {
            for name in route.channels where !seen.contains(name) {
                guard let channel = channels[name] else { continue }
                seen.insert(name)
                result.append(
                    RoutedChannel(
                        name: name, type: channel.type,
                        groupWindowSeconds: Int(route.groupWindow.components.seconds),
                        maxPerHour: route.maxPerHour))
            }
        }
        return result
    }

    /// Lines for printed configuration, secrets masked.
    public var printable: [(String, String)] {
        guard !channels.isEmpty || !routes.isEmpty else { return [("routing", "review queue only (no routing file)")] }
        var lines = channels.keys.sorted().compactMap { name in channels[name].map { ("channel", $0.description) } }
        for route in routes {
            var rule =
                "\(route.riskLevel.rawValue) → \(route.channels.isEmpty ? "review queue only" : route.channels.joined(separator: ", "))"
            if let codes = route.reasonCodes { rule += " if reason in \(codes.sorted().joined(separator: "|"))" }
            if let amount = route.minimumAmount { rule += " if amount ≥ \(amount)" }
            rule += " (group \(Int(route.groupWindow.components.seconds)) s, ≤ \(route.maxPerHour)/h per user)"
            lines.append(("route", rule))
        }
        return lines
    }
}
