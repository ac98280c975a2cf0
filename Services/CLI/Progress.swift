import Foundation

/// A progress bar for long-running commands, drawn on standard error so standard output stays clean for data.
///
/// On a terminal it redraws one line at most ten times a second (`label [#####-----]  45%  450,000/1,000,000 rows
/// 2.1 s`); when standard error is not a terminal (CI logs, pipes) it prints a plain line at every 10%. Not
/// thread-safe: update it from the task doing the work.
public final class ProgressBar {
    private let label: String
    private let unit: String
    private var total: Int?
    private let interactive: Bool
    private let started = ContinuousClock.now
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private var lastDecile = -1
    private var finished = false

    /// Creates a bar; `total` may be unknown (`nil`) and supplied later through ``update(_:total:)``.
    public init(label: String, total: Int?, unit: String = "rows") {
        self.label = label
        self.total = total
        self.unit = unit
        self.interactive = isatty(STDERR_FILENO) == 1
    }

    /// Reports `done` units of work (and the total, when it became known).
    public func update(_ done: Int, total: Int? = nil) {
        if let total { self.total = total }
        guard !finished else { return }
        let now = ContinuousClock.now
        if interactive {
            guard now - lastDraw >= .milliseconds(100) else { return }
            lastDraw = now
            Self.write("\r" + line(done) + "\u{1B}[K")
        } else if let total = self.total, total > 0 {
            let decile = min(done * 10 / total, 10)
            guard decile > lastDecile else { return }
            lastDecile = decile
            Self.write(line(done) + "\n")
        }
    }

    /// Draws the final state and ends the line; `message` replaces the counts when given.
    public func finish(_ done: Int, message: String? = nil) {
        guard !finished else { return }
        finished = true
        // A log already got its 100% line from update().
        if !interactive, message == nil, lastDecile == 10 { return }
        let text = message.map { "\(label): \($0)" } ?? line(done)
        Self.write((interactive ? "\r" : "") + text + (interactive ? "\u{1B}[K\n" : "\n"))
    }

    /// Seconds since the bar was created.
    public var elapsedSeconds: Double {
        let d = ContinuousClock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    private func line(_ done: Int) -> String {
        let seconds = formatSeconds(elapsedSeconds)
        guard let total, total > 0 else { return "\(label)  \(formatCount(done)) \(unit)  \(seconds)" }
        let fraction = min(max(Double(done) / Double(total), 0), 1)
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let percent = String(Int(fraction * 100))
        return "\(label) [\(bar)] \(String(repeating: " ", count: 3 - percent.count))\(percent)%  "
            + "\(formatCount(done))/\(formatCount(total)) \(unit)  \(seconds)"
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// `1234567` → `1,234,567`.
public func formatCount(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (value < 0 ? "-" : "") + out
}

/// `2.345` → `2.3 s`; under a second in milliseconds.
public func formatSeconds(_ seconds: Double) -> String {
    seconds < 1
        ? "\(Int((seconds * 1000).rounded())) ms"
        : "\(Int((seconds * 10).rounded()) / 10).\(Int((seconds * 10).rounded()) % 10) s"
}
