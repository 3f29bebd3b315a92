import Tracing

/// Writes trace context into message headers (lower-case names).
public struct HeaderInjector: Injector {
    /// Creates an injector.
    public init() {}

    /// Sets header `key` (lower-cased) to `value`, replacing any previous value.
    public func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[HeaderExtractor.lowercased(key)] = value
    }
}

/// Reads trace context from message headers; names match case-insensitively.
public struct HeaderExtractor: Extractor {
    /// Creates an extractor.
    public init() {}

    /// The value of header `key`: an exact match first, else a case-insensitive one.
    public func extract(key: String, from carrier: [String: String]) -> String? {
        if let value = carrier[key] { return value }
        let lower = Self.lowercased(key)
        if lower != key, let value = carrier[lower] { return value }
        return carrier.first { Self.lowercased($0.key) == lower }?.value
    }

    static func lowercased(_ key: String) -> String {
        key.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) ? key.lowercased() : key
    }
}
