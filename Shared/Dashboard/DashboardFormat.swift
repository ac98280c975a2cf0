import Detection

/// Number formatting for pages (no locale: pages read the same everywhere, and tests can compare text).
enum DashboardFormat {
    /// `1234567` → `1,234,567`.
    static func integer(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// A share as a percentage with one decimal, `0.0523` → `5.2 %`.
    static func percent(_ share: Double) -> String {
        share.isFinite ? formatFixed(share * 100, decimals: 1) + " %" : "—"
    }

    /// A score with three decimals.
    static func score(_ value: Double) -> String { formatFixed(value, decimals: 3) }

    /// A byte count in KiB/MiB.
    static func bytes(_ count: Int) -> String {
        if count >= 1 << 20 { return formatFixed(Double(count) / Double(1 << 20), decimals: 1) + " MiB" }
        if count >= 1 << 10 { return formatFixed(Double(count) / Double(1 << 10), decimals: 1) + " KiB" }
        return "\(count) bytes"
    }
}
