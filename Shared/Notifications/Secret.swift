/// A secret read from an environment variable the routing file names (`routing_key_env: PAGERDUTY_ROUTING_KEY`).
///
/// Never printed: `description` shows only the variable it came from, so a configuration dump or a log line that
/// interpolates a channel cannot leak the value.
public struct Secret: Sendable, Hashable, CustomStringConvertible {
    /// The secret itself; use it only to build a request.
    public let value: String
    /// The environment variable it was read from.
    public let variable: String

    /// Creates a secret read from `variable`.
    public init(value: String, variable: String) {
        self.value = value
        self.variable = variable
    }

    /// `****` plus where the value came from.
    public var description: String { "****(env \(variable))" }
}
