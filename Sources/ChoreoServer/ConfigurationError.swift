/// Why the collector or the agent refuses to start. The executable prints ``message`` and exits.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Code: String, Sendable {
        /// A token file could not be read.
        case tokenFileUnreadable
        /// A token file holds no token (empty or only whitespace).
        case tokenFileEmpty
        /// A token file holds more than one token, or characters a header cannot carry.
        case tokenMalformed
        /// Listening beyond loopback with an endpoint unguarded, and `--insecure` not given.
        case exposedWithoutTokens
        /// A certificate, key or CA file could not be read.
        case tlsFileUnreadable
        /// A certificate, key or CA file holds no usable PEM, an expired certificate, or a key
        /// that does not belong to its certificate; or a TLS flag is missing its partner.
        case tlsFileInvalid
    }

    /// What is wrong, for code that reacts to it.
    public var code: Code
    /// What happened and what to do about it.
    public var message: String

    /// Creates an error with a code and an actionable message.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
