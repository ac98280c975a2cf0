import Foundation
import Wire

/// Resolves configuration values from command-line flags, then `TXAD_*` environment variables, then defaults.
///
/// Flags override the environment (SPEC §1). Every value is validated here so an executable refuses a bad
/// configuration at start with a message naming both the flag and the variable. The environment is read only through
/// this type, at the executable's edge.
public struct Settings: Sendable {
    /// The environment to read; the process environment unless a test passes its own.
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    private func name(_ flag: String, _ variable: String) -> String { "--\(flag) / \(variable)" }

    private func raw(_ flag: String?, _ variable: String) -> String? {
        if let flag { return flag }
        if let value = environment[variable], !value.isEmpty { return value }
        return nil
    }

    /// A string setting.
    public func string(_ flagValue: String?, flag: String, env variable: String, default fallback: String) -> String {
        raw(flagValue, variable) ?? fallback
    }

    /// An optional string setting (absent when neither flag nor variable is given).
    public func optionalString(_ flagValue: String?, env variable: String) -> String? {
        raw(flagValue, variable)
    }

    /// An integer setting within `range`.
    public func int(
        _ flagValue: Int?, flag: String, env variable: String, default fallback: Int, range: ClosedRange<Int>
    ) throws -> Int {
        let value: Int
        if let flagValue {
            value = flagValue
        } else if let text = raw(nil, variable) {
            guard let parsed = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError(setting: name(flag, variable), reason: "'\(text)' is not a whole number")
            }
            value = parsed
        } else {
            value = fallback
        }
        guard range.contains(value) else {
            throw ConfigurationError(
                setting: name(flag, variable),
                reason: "\(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    /// A TCP port (1–65535; 0 allowed when `allowEphemeral`, for tests).
    public func port(
        _ flagValue: Int?, flag: String = "port", env variable: String, default fallback: Int, allowEphemeral: Bool = false
    ) throws -> Int {
        try int(flagValue, flag: flag, env: variable, default: fallback, range: (allowEphemeral ? 0 : 1)...65_535)
    }

    /// A duration given in milliseconds.
    public func milliseconds(
        _ flagValue: Int?, flag: String, env variable: String, default fallback: Int, range: ClosedRange<Int>
    ) throws -> Duration {
        .milliseconds(try int(flagValue, flag: flag, env: variable, default: fallback, range: range))
    }

    /// A boolean setting: `1/0`, `true/false`, `yes/no`, `on/off`.
    public func bool(_ flagValue: Bool?, flag: String, env variable: String, default fallback: Bool) throws -> Bool {
        if let flagValue { return flagValue }
        guard let text = raw(nil, variable)?.lowercased() else { return fallback }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            throw ConfigurationError(setting: name(flag, variable), reason: "'\(text)' is not true/false")
        }
    }

    /// A list of `host:port` addresses separated by commas, e.g. `127.0.0.1:7002,127.0.0.1:7012`.
    public func addresses(
        _ flagValue: String?, flag: String, env variable: String, default fallback: String
    ) throws -> [HostAndPort] {
        let text = raw(flagValue, variable) ?? fallback
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else {
            throw ConfigurationError(setting: name(flag, variable), reason: "needs at least one host:port")
        }
        return try parts.map { part in
            guard let address = HostAndPort(part) else {
                throw ConfigurationError(setting: name(flag, variable), reason: "'\(part)' is not host:port")
            }
            return address
        }
    }

    /// A URL setting whose scheme must be one of `schemes` (e.g. `redis`, `postgresql`).
    public func url(_ flagValue: String?, flag: String, env variable: String, schemes: Set<String>) throws -> String? {
        guard let text = raw(flagValue, variable) else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            schemes.contains(scheme.lowercased()), components.host?.isEmpty == false
        else {
            throw ConfigurationError(
                setting: name(flag, variable),
                reason: "'\(Redaction.maskingSecrets(in: text))' is not a \(schemes.sorted().joined(separator: "/")) URL with a host")
        }
        return text
    }
}

extension Settings {
    /// Mutual TLS for frame connections from `TXAD_INTERNAL_TLS_CERT`, `TXAD_INTERNAL_TLS_KEY` and
    /// `TXAD_INTERNAL_TLS_CA` (PEM files): all three, or none for plain TCP.
    public func internalTLS() throws -> WireTLSConfiguration? {
        let names = ["TXAD_INTERNAL_TLS_CERT", "TXAD_INTERNAL_TLS_KEY", "TXAD_INTERNAL_TLS_CA"]
        let values = names.map { optionalString(nil, env: $0) }
        let given = values.compactMap { $0 }
        guard !given.isEmpty else { return nil }
        guard given.count == 3, let certificate = values[0], let key = values[1], let ca = values[2] else {
            throw ConfigurationError(
                setting: names.joined(separator: " / "), reason: "set all three (certificate, key, CA) or none")
        }
        for (name, path) in zip(names, [certificate, key, ca]) where !FileManager.default.isReadableFile(atPath: path) {
            throw ConfigurationError(setting: name, reason: "cannot read '\(path)'")
        }
        return WireTLSConfiguration(certificateFile: certificate, privateKeyFile: key, trustedCAFile: ca)
    }
}

/// A `host:port` pair.
public struct HostAndPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (IPv6 as `[::1]:7002`); `nil` when malformed or the port is out of range.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else {
            return nil
        }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
