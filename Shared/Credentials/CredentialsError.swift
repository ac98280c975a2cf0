/// The error type of `Credentials`: a code to branch on and a message naming the field and the reason.
public struct CredentialsError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case invalidName, duplicateName, unexpected }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The key name breaks ``APIKeyStore/nameRule``.
        public static let invalidName = Code(.invalidName)
        /// An active key already has this name.
        public static let duplicateName = Code(.duplicateName)
        /// The database returned something the store did not expect.
        public static let unexpected = Code(.unexpected)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
