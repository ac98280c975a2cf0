/// The one error type of the model registry.
public struct RegistryError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// An argument is invalid (version name, target, share, principal); the message names it.
        case invalidArgument
        /// No such version (or no champion to roll back from).
        case notFound
        /// The change conflicts with the registry's state (version already registered, nothing to roll back to).
        case conflict
        /// Promotion to champion without an approval by a second principal.
        case approvalRequired
        /// The registrar tried to approve their own version without self-approval being allowed.
        case selfApprovalRefused
        /// A bundle failed its checksum, archive or schema check; it is never served.
        case corruptBundle
        /// The database could not be reached, or its schema is missing (the alerts service applies migrations).
        case unavailable
        /// Any other database failure.
        case storeFailure
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, for people.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
