import Foundation

/// A shared secret that a client presents as `Authorization: Bearer <token>`.
///
/// Loaded from a file holding one token (surrounding whitespace trimmed). Compared in constant
/// time, and never printed: its `description` is redacted so it cannot leak into logs.
public struct AccessToken: Sendable, CustomStringConvertible {
    package let bytes: [UInt8]

    /// A token from its text; throws ``ConfigurationError`` when empty or not a single
    /// run of visible ASCII characters (what an HTTP header can carry).
    public init(_ text: String) throws(ConfigurationError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw ConfigurationError(code: .tokenFileEmpty, message: "the token is empty")
        }
        guard trimmed.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw ConfigurationError(
                code: .tokenMalformed,
                message: "a token is one word of visible ASCII characters (no spaces, line breaks or other characters)"
            )
        }
        self.bytes = Array(trimmed.utf8)
    }

    /// Reads the token in `path`; throws ``ConfigurationError`` naming the file and the flag
    /// when the file is unreadable, empty or holds more than one token.
    public static func load(file path: String, flag: String) throws(ConfigurationError) -> AccessToken {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                code: .tokenFileUnreadable, message: "\(flag) \(path): cannot read the token file (\(error.localizedDescription))"
            )
        }
        do {
            return try AccessToken(text)
        } catch {
            throw ConfigurationError(code: error.code, message: "\(flag) \(path): \(error.message); the file must hold one token")
        }
    }

    /// True when `candidate` is this token. Takes the same time whatever the candidate holds
    /// (it depends on this token's length only), so timing reveals nothing of the secret.
    public func matches(_ candidate: some Collection<UInt8>) -> Bool {
        let given = Array(candidate)
        var difference = UInt8(given.count == bytes.count ? 0 : 1)
        for (i, byte) in bytes.enumerated() {
            difference |= byte ^ (i < given.count ? given[i] : ~byte)
        }
        return difference == 0
    }

    /// The value of an `Authorization` header presenting this token.
    package var authorizationValue: String { "Bearer " + String(decoding: bytes, as: UTF8.self) }

    /// `AccessToken(redacted)`: the secret itself is never printed.
    public var description: String { "AccessToken(redacted)" }
}
