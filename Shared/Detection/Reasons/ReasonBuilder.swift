import Domain

/// Turns per-feature contributions and raw values into the few reasons a person reads with an alert.
///
/// Related columns form one reason (hour_sin, hour_cos and hour_surprise are all `UNUSUAL_HOUR`); a group's
/// strength is the sum of its columns' contributions. The strongest groups whose share of the total reaches
/// ``minimumShare`` and whose raw values actually say something (an amount 1.1× the average does not) become
/// reasons, strongest first, with stable codes (``ReasonCode``) and sentences such as "amount is 14.2× this user's
/// average", "1,240 km from the usual location", "4th transaction in 10 minutes", "03:12, outside usual hours
/// 09–18". A user without history gets the cold-start reason when nothing else qualifies.
public struct ReasonBuilder: Sendable {
    /// The schema the contributions are aligned with.
    public let schema: FeatureSchema
    /// At most this many reasons.
    public var maximumReasons: Int
    /// A group needs at least this share (0…1) of the total contribution.
    public var minimumShare: Double

    private let groups: [(group: ReasonGroup, columns: [Int])]

    /// Creates a builder for contributions aligned with `schema` (columns it does not know are ignored).
    public init(schema: FeatureSchema = .current, maximumReasons: Int = 3, minimumShare: Double = 0.1) {
        self.schema = schema
        self.maximumReasons = maximumReasons
        self.minimumShare = minimumShare
        groups = ReasonGroup.all.map { g in (g, g.columns.compactMap { schema.index(of: $0.name) }) }
    }

    /// Reasons from named raw values (``RawFeatures/namedValues``) and contributions aligned with ``schema``
    /// (non-negative strengths, e.g. autoencoder per-feature squared errors or Isolation Forest attributions;
    /// signs are ignored, missing trailing entries count as 0).
    public func reasons(raw: [NamedValue], contributions: [Double]) -> [Reason] {
        reasons(raw: RawFeatures(namedValues: raw), contributions: contributions)
    }

    /// Reasons from raw values and contributions; see ``reasons(raw:contributions:)-(([NamedValue],_))``.
    public func reasons(raw: RawFeatures, contributions: [Double]) -> [Reason] {
        func strength(_ columns: [Int]) -> Double {
            columns.reduce(0) { sum, c in
                let v = c < contributions.count ? abs(contributions[c]) : 0
                return sum + (v.isFinite ? v : 0)
            }
        }
        // Strengths and ranks by index: sorting the groups themselves would copy their closures on every swap.
        let strengths = groups.map { strength($0.columns) }
        let total = strengths.reduce(0, +)
        var out: [Reason] = []
        if total > 0 {
            let ranked = strengths.indices.sorted { a, b in
                strengths[a] != strengths[b] ? strengths[a] > strengths[b] : a < b
            }
            for i in ranked where out.count < maximumReasons {
                guard strengths[i] > 0, strengths[i] >= minimumShare * total else { break }
                if let reason = groups[i].group.describe(raw), !out.contains(where: { $0.code == reason.code }) {
                    out.append(reason)
                }
            }
            if out.isEmpty, raw.historyCount >= ReasonGroup.newUserHistory {
                let top = ranked.prefix(3).filter { strengths[$0] > 0 }.map { groups[$0].group.label }
                out.append(
                    Reason(
                        code: ReasonCode.unusualCombination.rawValue, feature: "combination", value: 0,
                        text: "unusual combination of \(Self.list(top)) for this user"))
            }
        }
        if out.isEmpty, raw.historyCount < ReasonGroup.newUserHistory, maximumReasons > 0 {
            out.append(ReasonGroup.newUserReason(raw))
        }
        return out
    }

    /// Reasons from `Float` contributions (as models produce them).
    public func reasons(raw: [NamedValue], contributions: [Float]) -> [Reason] {
        reasons(raw: RawFeatures(namedValues: raw), contributions: contributions.map(Double.init))
    }

    /// "a, b and c".
    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: "values"
        case 1: items[0]
        default: items.dropLast().joined(separator: ", ") + " and " + (items.last ?? "")
        }
    }
}
