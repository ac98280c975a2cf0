/// The one error type of `EmbeddedStores`: what went wrong starting, stopping or driving a throwaway
/// `redis-server` / PostgreSQL process, with a message a person can act on.
public struct EmbeddedStoreError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; compare with the static members (`error.code == .missingDependency`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case missingDependency, invalidOptions, startFailed, stopFailed, stopped, systemError
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// A binary or system user is missing; the message names the Debian package that provides it.
        public static let missingDependency = Code(.missingDependency)
        /// The options are invalid (bad port, database name, data directory that is not a cluster, …).
        public static let invalidOptions = Code(.invalidOptions)
        /// The server did not come up; the message carries the tail of its log.
        public static let startFailed = Code(.startFailed)
        /// The server did not stop cleanly and had to be killed, or could not be killed.
        public static let stopFailed = Code(.stopFailed)
        /// The handle was already stopped with `stop()`; start a new instance instead.
        public static let stopped = Code(.stopped)
        /// A system call (spawn, socket, file) failed; the message names the call and errno.
        public static let systemError = Code(.systemError)

        /// The code's name, e.g. `startFailed`.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What happened and what to do about it.
    public let message: String

    /// Creates an error with a code and an actionable message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Code and message on one line.
    public var description: String { "EmbeddedStoreError(\(code)): \(message)" }
}
