import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The RS256/ES256 keys of a JWKS document — given once (a file) or fetched from an identity provider's URL and kept
/// fresh: re-read every refresh interval, and at once (at most every 30 s) when a token names a `kid` it lacks, so a
/// key rotation at the provider is followed without a restart.
public final class JWKSSource: Sendable {
    /// Largest accepted JWKS document.
    public static let maximumBytes = 1 << 20
    /// Shortest time between two fetches caused by unknown `kid`s.
    public static let unknownKeyRefetchInterval: Duration = .seconds(30)

    private struct Keys: Sendable {
        var collection: JWTKeyCollection
        var kids: Set<String>
    }

    /// Where the document comes from.
    public let url: String?
    private let keys: Mutex<Keys>
    private let lastUnknownKeyFetch = Mutex<ContinuousClock.Instant?>(nil)

    /// Keys from a document's text.
    /// - Throws: ``AuthConfigurationError`` when it is not a usable JWKS.
    public init(document: String) async throws {
        url = nil
        keys = Mutex(try await Self.parse(document, setting: "jwks"))
    }

    /// Keys fetched from `url` now.
    /// - Throws: ``AuthConfigurationError`` naming the URL when it cannot be fetched or is not a usable JWKS.
    public init(url: String) async throws {
        self.url = url
        keys = Mutex(try await Self.parse(try await Self.fetch(url), setting: "jwks url \(url)"))
    }

    /// The current keys.
    var collection: JWTKeyCollection { keys.withLock { $0.collection } }

    /// Whether the current document has a key `kid`.
    func knows(kid: String) -> Bool { keys.withLock { $0.kids.contains(kid) } }

    /// Fetches the document again and replaces the keys; keeps the old ones when that fails.
    /// - Throws: ``AuthConfigurationError`` naming the URL.
    public func refresh() async throws {
        guard let url else { return }
        let fresh = try await Self.parse(try await Self.fetch(url), setting: "jwks url \(url)")
        keys.withLock { $0 = fresh }
    }

    /// Refreshes because a token named an unknown `kid`, unless that happened less than 30 s ago. True when the
    /// keys were re-read.
    func refreshForUnknownKey() async -> Bool {
        guard url != nil else { return false }
        let now = ContinuousClock.now
        let due = lastUnknownKeyFetch.withLock { last -> Bool in
            if let last, now - last < Self.unknownKeyRefetchInterval { return false }
            last = now
            return true
        }
        guard due else { return false }
        return (try? await refresh()) != nil
    }

    private static func parse(_ document: String, setting: String) async throws -> Keys {
        let collection = JWTKeyCollection()
        do {
            try await collection.add(jwksJSON: document)
        } catch {
            throw AuthConfigurationError(setting, "not a usable JWKS document (\(error))")
        }
        let object = try? JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any]
        let kids = ((object?["keys"] as? [[String: Any]]) ?? []).compactMap { $0["kid"] as? String }
        return Keys(collection: collection, kids: Set(kids))
    }

    private static func fetch(_ url: String) async throws -> String {
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/json")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            guard response.status == .ok else {
                throw AuthConfigurationError("jwks url \(url)", "answered HTTP \(response.status.code)")
            }
            let body = try await response.body.collect(upTo: maximumBytes)
            return String(buffer: body)
        } catch let error as AuthConfigurationError {
            throw error
        } catch {
            throw AuthConfigurationError("jwks url \(url)", "cannot be fetched (\(error))")
        }
    }
}

/// Re-reads a ``JWKSSource``'s URL every `interval` until graceful shutdown; a failed fetch keeps the old keys and
/// is logged.
public struct JWKSRefresher: Service {
    private let source: JWKSSource
    private let interval: Duration
    private let logger: Logger

    /// Creates the refresher.
    public init(source: JWKSSource, interval: Duration, logger: Logger) {
        self.source = source
        self.interval = interval
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                try await source.refresh()
            } catch {
                logger.warning("JWKS refresh failed; keeping the previous keys", metadata: ["error": "\(error)"])
            }
        }
    }
}
