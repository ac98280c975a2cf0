/// An invalid authentication setting (a JWT secret too short, an unreadable JWKS, …), reported at start.
public struct AuthConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The setting.
    public var setting: String
    /// What is wrong.
    public var reason: String

    /// Creates an error.
    public init(_ setting: String, _ reason: String) {
        self.setting = setting
        self.reason = reason
    }

    public var description: String { "invalid \(setting): \(reason)" }
}
