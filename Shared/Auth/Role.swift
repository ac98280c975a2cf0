/// The roles of SPEC §6. Each role includes the ones before it: `analyst` may do what `scorer` may, `admin` all.
public enum Role: String, Sendable, CaseIterable, Comparable, Codable {
    /// Scores transactions (`/predict`, `/predict/batch`).
    case scorer
    /// A scorer who also reads alerts, works the review queue and reads statistics.
    case analyst
    /// Everything, including keys and models.
    case admin

    /// Whether this role includes `required`.
    public func includes(_ required: Role) -> Bool { self >= required }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
