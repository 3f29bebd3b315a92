#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Turns a collector's answer (status and body) into a model or a ``CLIError``. Pure, no I/O.
///
/// - 200: the body decoded as `T`; a body that breaks the contract is `unexpectedResponse`.
/// - 404 on a lookup by id: `notFound` with the caller's message (exit 1).
/// - 401/403: `unexpectedResponse` with a hint about `--token` / `CHOREO_TOKEN`.
/// - anything else: `unexpectedResponse` quoting the collector's `{"error": ...}` when it sent one.
public enum CollectorResponse {
    /// The body of an error answer, `{"error": "..."}`.
    struct ErrorBody: Decodable {
        var error: String
    }

    /// Decodes a 200 answer or maps the status to the matching error.
    ///
    /// - Parameters:
    ///   - url: the URL asked, for messages.
    ///   - notFound: the message for a 404, or nil when a 404 is unexpected (the flow list).
    public static func decode<T: Decodable>(
        _ type: T.Type, status: Int, body: [UInt8], url: String, notFound: String?
    ) throws(CLIError) -> T {
        switch status {
        case 200:
            do {
                return try JSONDecoder().decode(T.self, from: Data(body))
            } catch {
                throw CLIError(.unexpectedResponse, "the collector at \(url) answered with JSON that breaks the contract: \(describe(error))")
            }
        case 404 where notFound != nil:
            throw .notFound(notFound ?? "")
        case 410 where notFound != nil:
            // Gone: the collector deleted what was asked for (a flow sampled out) and says what is left.
            let message = detail(body)
            throw .notFound(message.isEmpty ? notFound ?? "" : String(message.dropFirst(2)))
        case 401, 403:
            throw CLIError(.unexpectedResponse, "the collector at \(url) refused the request (\(status))\(detail(body)); check --token or CHOREO_TOKEN")
        default:
            throw CLIError(.unexpectedResponse, "the collector at \(url) answered with unexpected status \(status)\(detail(body))")
        }
    }

    /// `: <message>` from an `{"error": ...}` body, or nothing.
    static func detail(_ body: [UInt8]) -> String {
        guard let message = try? JSONDecoder().decode(ErrorBody.self, from: Data(body)).error, !message.isEmpty else {
            return ""
        }
        return ": " + message
    }

    /// A decoding error in one line: what is wrong and where.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "" : " at \(keys)"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing key \"\(key.stringValue)\"\(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return context.debugDescription + path(context)
        @unknown default: return String(describing: error)
        }
    }
}
