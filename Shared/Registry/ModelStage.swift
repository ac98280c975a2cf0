/// Where a registered version stands in its lifecycle.
public enum ModelStage: String, Sendable, Hashable, CaseIterable, Codable {
    /// Registered, not serving.
    case candidate
    /// Scores the champion's traffic off the response path; its scores are recorded, never answered.
    case shadow
    /// Answers for a fixed share of users (by hash of the user id).
    case canary
    /// Answers for everyone else.
    case champion
    /// Retired (replaced, rolled back from, or taken out of shadow/canary).
    case archived
}

/// A promotion target: a stage, with the traffic share for a canary.
public enum PromotionTarget: Sendable, Hashable, CustomStringConvertible {
    case shadow
    /// Share of users in (0, 1), exclusive.
    case canary(share: Double)
    case champion
    case archived

    /// The stage this target puts a version in.
    public var stage: ModelStage {
        switch self {
        case .shadow: .shadow
        case .canary: .canary
        case .champion: .champion
        case .archived: .archived
        }
    }

    /// `shadow`, `canary=10%`, `champion`, `archived`.
    public var description: String {
        switch self {
        case .shadow: "shadow"
        case .canary(let share): "canary=\(CanaryShare.percentText(share))"
        case .champion: "champion"
        case .archived: "archived"
        }
    }

    /// Parses `shadow`, `canary=10%` (or `canary=10`, percent; `canary=0.5%`), `champion`, `archived`.
    ///
    /// - Throws: ``RegistryError`` `.invalidArgument` naming the accepted forms, or a share outside (0 %, 100 %).
    public init(parsing text: String) throws(RegistryError) {
        switch text {
        case "shadow": self = .shadow
        case "champion": self = .champion
        case "archived": self = .archived
        default:
            guard text.hasPrefix("canary=") else {
                throw RegistryError(
                    .invalidArgument,
                    "target '\(text)' is not one of shadow, canary=N%, champion, archived")
            }
            var number = Substring(text.dropFirst("canary=".count))
            if number.hasSuffix("%") { number = number.dropLast() }
            guard let percent = Double(number), percent.isFinite else {
                throw RegistryError(.invalidArgument, "canary share '\(number)' is not a number of percent")
            }
            self = .canary(share: try CanaryShare.validated(percent / 100))
        }
    }
}

/// Canary share helpers.
public enum CanaryShare {
    /// Returns `share` when it is from 0.0001 to 0.9999 (0.01 % to 99.99 %: a smaller
    /// canary sees too few users to compare, and the bound keeps sub-normal numbers from rounding to zero),
    /// else throws naming the field.
    public static func validated(_ share: Double) throws(RegistryError) -> Double {
        guard share.isFinite, share >= 0.0001, share <= 0.9999 else {
            throw RegistryError(
                .invalidArgument, "canary share must be from 0.01 % to 99.99 %, got \(percentText(share))")
        }
        return share
    }

    /// `10%`, `2.5%`.
    public static func percentText(_ share: Double) -> String {
        let percent = share * 100
        if percent == percent.rounded() { return "\(Int(percent))%" }
        return "\((percent * 1000).rounded() / 1000)%"
    }
}
