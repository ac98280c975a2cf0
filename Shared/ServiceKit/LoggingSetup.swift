import Logging

/// Process-wide logging set-up for txad executables.
public enum LoggingSetup {
    /// Bootstraps swift-log with ``JSONLogHandler`` (one JSON object per line on standard error) at `level`.
    ///
    /// Call once, first thing in `main`; later calls are ignored by swift-log.
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    }

    /// Parses `trace|debug|info|notice|warning|error|critical`.
    public static func level(named text: String, setting: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ConfigurationError(
                setting: setting,
                reason: "'\(text)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return level
    }
}
