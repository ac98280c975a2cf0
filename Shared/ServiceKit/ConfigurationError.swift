/// An invalid configuration value, reported at start-up before anything listens.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The setting, as the user spells it: `--port` / `TXAD_INFERENCE_PORT`.
    public var setting: String
    /// What is wrong and what is accepted.
    public var reason: String

    public init(setting: String, reason: String) {
        self.setting = setting
        self.reason = reason
    }

    public var description: String { "invalid configuration \(setting): \(reason)" }
}
