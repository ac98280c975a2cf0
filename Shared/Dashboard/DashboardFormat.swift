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

extension DashboardFormat {
    /// A duration for people: `45 s`, `12 min`, `3 h 05 min`, `2 d 4 h`.
    static func duration(seconds: Int) -> String {
        let s = max(seconds, 0)
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        if s < 86400 {
            let minutes = (s % 3600) / 60
            return "\(s / 3600) h \(minutes < 10 ? "0" : "")\(minutes) min"
        }
        return "\(s / 86400) d \((s % 86400) / 3600) h"
    }

    /// An amount with two decimals and its currency.
    static func amount(_ value: Double, _ currency: String) -> String {
        formatFixed(value, decimals: 2) + " " + currency
    }

    /// An RFC 3339 time shortened for tables: `2026-12-03 13:45:10` (UTC; the API's text otherwise).
    static func time(_ rfc3339: String) -> String {
        guard rfc3339.count >= 19 else { return rfc3339 }
        return String(rfc3339.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }
}
