import ChoreoModel
import ChoreoOTLP

/// Per-request limits of `POST /v1/traces` beyond the body size, and the truncation of long
/// attribute values.
///
/// String values (and the elements of string arrays) longer than ``maxAttributeBytes`` UTF-8
/// bytes are cut at a character boundary, and so are the span's other free-text fields: its
/// name, `service.name`, scope name, status message and event names. The span then carries
/// ``truncatedKey``: the sorted list of what was cut, span attribute keys as they are, others
/// prefixed `resource:`, `event:` or `link:`, the fields as `span.name`, `resource:service.name`,
/// `scope.name`, `status.message` and `event.name`. Nothing else of the span changes.
public struct IngestLimits: Sendable, Hashable {
    /// The attribute naming the truncated keys of a span.
    public static let truncatedKey = "choreo.truncated"

    /// Spans in one request, at most.
    public var maxSpansPerRequest: Int
    /// Longest string attribute value kept, in UTF-8 bytes.
    public var maxAttributeBytes: Int

    /// Creates limits.
    public init(maxSpansPerRequest: Int = 10_000, maxAttributeBytes: Int = 4096) {
        self.maxSpansPerRequest = maxSpansPerRequest
        self.maxAttributeBytes = maxAttributeBytes
    }

    /// The caps on one request's wire bytes that follow from these limits.
    public var requestLimits: OTLPRequestLimits {
        .derived(maxSpans: maxSpansPerRequest, maxAttributeBytes: maxAttributeBytes)
    }

    /// Truncates over-long values in place; returns how many values were cut.
    public func truncateAttributes(_ spans: inout [SpanRecord]) -> Int {
        var total = 0
        for i in spans.indices {
            var cut: [String] = []
            truncateFields(&spans[i], into: &cut)
            truncate(&spans[i].attributes, prefix: "", into: &cut)
            truncate(&spans[i].resourceAttributes, prefix: "resource:", into: &cut)
            for e in spans[i].events.indices { truncate(&spans[i].events[e].attributes, prefix: "event:", into: &cut) }
            for l in spans[i].links.indices { truncate(&spans[i].links[l].attributes, prefix: "link:", into: &cut) }
            guard !cut.isEmpty else { continue }
            total += cut.count
            spans[i].attributes[Self.truncatedKey] = .stringArray(Array(Set(cut)).sorted())
        }
        return total
    }

    private func truncateFields(_ span: inout SpanRecord, into cut: inout [String]) {
        func bound(_ text: inout String, _ name: String) {
            guard text.utf8.count > maxAttributeBytes else { return }
            text = Self.prefix(text, maxBytes: maxAttributeBytes)
            cut.append(name)
        }
        bound(&span.name, "span.name")
        bound(&span.serviceName, "resource:service.name")
        if var scope = span.scopeName {
            bound(&scope, "scope.name")
            span.scopeName = scope
        }
        if var message = span.statusMessage {
            bound(&message, "status.message")
            span.statusMessage = message
        }
        for e in span.events.indices { bound(&span.events[e].name, "event.name") }
    }

    private func truncate(_ attributes: inout [String: AttributeValue], prefix: String, into cut: inout [String]) {
        for (key, value) in attributes {
            switch value {
            case .string(let text) where text.utf8.count > maxAttributeBytes:
                attributes[key] = .string(Self.prefix(text, maxBytes: maxAttributeBytes))
                cut.append(prefix + key)
            case .stringArray(let items) where items.contains(where: { $0.utf8.count > maxAttributeBytes }):
                attributes[key] = .stringArray(items.map { Self.prefix($0, maxBytes: maxAttributeBytes) })
                cut.append(prefix + key)
            default:
                continue
            }
        }
    }

    /// The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that ends on a character
    /// (scalar) boundary.
    static func prefix(_ text: String, maxBytes: Int) -> String {
        let utf8 = text.utf8
        guard utf8.count > maxBytes else { return text }
        var end = utf8.index(utf8.startIndex, offsetBy: max(0, maxBytes))
        // Back off continuation bytes (10xxxxxx) so no scalar is split.
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) }
        return String(decoding: utf8[..<end], as: UTF8.self)
    }
}
