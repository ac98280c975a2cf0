import Domain
import Foundation
import Logging

/// A `LogHandler` writing one JSON object per line to standard error.
///
/// Every line carries `ts`, `level`, `service`, `message` and the metadata (the request id travels as
/// `request_id`). Metadata under the keys in ``personalKeys`` is replaced by a pseudonym before it is written, so raw
/// user ids never reach the logs even when a caller forgets to hash them.
public struct JSONLogHandler: LogHandler {
    /// Metadata keys whose values are personal data and are pseudonymized.
    public static let personalKeys: Set<String> = ["user_id", "user"]

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    private let label: String

    public init(label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        var line = "{\"ts\":\"\(Self.timestamp())\",\"level\":\"\(event.level.rawValue)\",\"service\":"
        line += JSONText.quoted(label) + ",\"message\":" + JSONText.quoted(event.message.description)
        for key in merged.keys.sorted() {
            guard let value = merged[key] else { continue }
            line += "," + JSONText.quoted(key) + ":" + Self.encode(value, personal: Self.personalKeys.contains(key))
        }
        line += "}\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return RFC3339.format(millis: Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec / 1_000_000))
    }

    private static func encode(_ value: Logger.Metadata.Value, personal: Bool) -> String {
        switch value {
        case .string(let s):
            return JSONText.quoted(personal ? Redaction.pseudonym(forUserID: s) : s)
        case .stringConvertible(let c):
            return JSONText.quoted(personal ? Redaction.pseudonym(forUserID: c.description) : c.description)
        case .array(let items):
            return "[" + items.map { encode($0, personal: personal) }.joined(separator: ",") + "]"
        case .dictionary(let dict):
            let body = dict.keys.sorted().compactMap { key in
                dict[key].map { JSONText.quoted(key) + ":" + encode($0, personal: personal || personalKeys.contains(key)) }
            }
            return "{" + body.joined(separator: ",") + "}"
        }
    }
}
