/// Number formatting for reason sentences: locale-independent, so the same score reads the same everywhere.
enum ReasonText {
    /// `14.2×`, `1,240×`.
    static func ratio(_ r: Double) -> String {
        r >= 100 ? "\(grouped(Int(r.rounded())))×" : "\(formatFixed(r, decimals: r >= 10 ? 1 : r >= 0.1 ? 1 : 2))×"
    }

    /// `1,240 km`, `8.5 km`.
    static func kilometres(_ km: Double) -> String {
        km >= 10 ? "\(grouped(Int(km.rounded()))) km" : "\(formatFixed(km, decimals: 1)) km"
    }

    /// `2,340.00`.
    static func money(_ amount: Double) -> String {
        let cents = Int((amount * 100).rounded())
        let fraction = String(cents % 100)
        return "\(grouped(cents / 100)).\(fraction.count == 1 ? "0" + fraction : fraction)"
    }

    /// `4th`, `21st`, `112th`.
    static func ordinal(_ n: Int) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }

    /// `03:12`.
    static func clock(hour: Int, minute: Int) -> String { "\(twoDigits(hour)):\(twoDigits(minute))" }

    /// `09–18`.
    static func hourRange(_ start: Int, _ end: Int) -> String { "\(twoDigits(start))–\(twoDigits(end))" }

    /// `45 seconds`, `35 minutes`, `5.5 hours`, `3 days`.
    static func duration(minutes: Double) -> String {
        if minutes < 2 { return "\(Int((minutes * 60).rounded())) seconds" }
        if minutes < 120 { return "\(Int(minutes.rounded())) minutes" }
        if minutes < 72 * 60 { return "\(formatFixed(minutes / 60, decimals: 1)) hours" }
        return "\(Int((minutes / 1440).rounded())) days"
    }

    /// `4%` (under 1%: `0.4%`).
    static func percent(_ share: Double) -> String {
        share >= 0.01 ? "\(Int((share * 100).rounded()))%" : "\(formatFixed(share * 100, decimals: 1))%"
    }

    /// `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }

    private static func twoDigits(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}
