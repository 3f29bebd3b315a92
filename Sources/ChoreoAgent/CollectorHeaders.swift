/// A `--collector-header` the agent refuses at start-up: what is wrong and what to do.
public struct CollectorHeaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, as a stable code.
    public enum Code: String, Sendable {
        /// Not `NAME=VALUE`.
        case malformed
        /// The name is empty or holds a character an HTTP field name cannot (RFC 9110 token).
        case invalidName
        /// The value holds a control character: CR or LF would end the header early.
        case invalidValue
        /// A header the agent sets itself on every request (`Content-Type`, `Content-Encoding`...).
        case reserved
        /// `Authorization` together with `--collector-token-file`, which sets it.
        case conflictsWithToken
        /// The same name twice (names are case-insensitive).
        case duplicate
    }

    /// What is wrong.
    public let code: Code
    /// What is wrong and which flag to change.
    public let message: String

    public var description: String { message }
}

/// The extra headers of every request to the collector (`--collector-header NAME=VALUE`, repeatable),
/// for upstreams that need more than the bearer token: a tenant header, a proxy's credentials.
///
/// Refused at start-up, each with its own message: a value with CR, LF or another control
/// character (it would end the header and smuggle in others), a name that is not an HTTP token,
/// a name given twice, the headers the agent sets itself (`Content-Type`, `Content-Encoding`,
/// `Content-Length`, `Transfer-Encoding`, `Host`, `Connection`: overriding them would corrupt
/// the request), and `Authorization` when `--collector-token-file` sets it (one of the two
/// would silently lose). Without a token file, `Authorization` may be given (Basic credentials
/// for a proxy, say).
public enum CollectorHeaders {
    /// Headers every forwarded request carries already, set by the agent or the HTTP client.
    public static let reserved: Set<String> = ["content-type", "content-encoding", "content-length", "transfer-encoding", "host", "connection"]

    /// Parses `NAME=VALUE` arguments into headers; the value may be empty, and spaces and tabs
    /// around it are dropped, as HTTP does.
    ///
    /// - Parameter hasCollectorToken: whether `--collector-token-file` is given.
    public static func parse(_ arguments: [String], hasCollectorToken: Bool) throws(CollectorHeaderError) -> [String: String] {
        var headers: [String: String] = [:]
        var seen: Set<String> = []
        for argument in arguments {
            let (name, value) = try header(argument)
            let lower = name.lowercased()
            if reserved.contains(lower) {
                throw CollectorHeaderError(
                    code: .reserved, message: "--collector-header cannot set \(name): the agent sets it itself on every request to the collector")
            }
            if lower == "authorization", hasCollectorToken {
                throw CollectorHeaderError(
                    code: .conflictsWithToken,
                    message: "--collector-header Authorization conflicts with --collector-token-file, which sends Authorization: Bearer; give one of the two"
                )
            }
            guard seen.insert(lower).inserted else {
                throw CollectorHeaderError(code: .duplicate, message: "--collector-header names \(name) twice; give each header once")
            }
            headers[name] = value
        }
        return headers
    }

    /// One `NAME=VALUE`, checked.
    static func header(_ argument: String) throws(CollectorHeaderError) -> (name: String, value: String) {
        guard let equals = argument.firstIndex(of: "=") else {
            throw CollectorHeaderError(
                code: .malformed, message: "--collector-header must be NAME=VALUE, e.g. X-Scope-OrgID=tenant-1; got \(quoted(argument))")
        }
        let name = String(argument[..<equals])
        guard !name.isEmpty, name.unicodeScalars.allSatisfy(isTokenCharacter) else {
            throw CollectorHeaderError(
                code: .invalidName,
                message: "--collector-header \(quoted(argument)): the name must be letters, digits and !#$%&'*+-.^_`|~ only (an HTTP field name)")
        }
        let value = String(argument[argument.index(after: equals)...]).trimmingWhitespace
        guard value.unicodeScalars.allSatisfy({ $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) }) else {
            throw CollectorHeaderError(
                code: .invalidValue,
                message: "--collector-header \(name): the value holds a line break (CR, LF) or another control character, which a header cannot carry")
        }
        return (name, value)
    }

    /// RFC 9110 `tchar`.
    static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": return true
        default: return "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar)
        }
    }

    /// The argument quoted for a message, control characters escaped.
    static func quoted(_ text: String) -> String {
        "\"" + text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? $0.escaped(asASCII: true) : String($0) }.joined() + "\""
    }
}

extension String {
    /// Without the spaces and tabs at either end.
    fileprivate var trimmingWhitespace: String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(self[first...last])
    }
}
