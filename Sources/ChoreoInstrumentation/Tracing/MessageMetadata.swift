import ChoreoModel

/// The CloudEvents metadata of a message, read tolerantly from its headers: aliases are
/// accepted and empty values count as absent. Never fails, whatever the header values.
///
/// Read on every publish and every delivery, so the headers are walked once, comparing names
/// (short strings, compared without hashing), instead of hashing each of the ten names and
/// aliases for a dictionary lookup. Of several aliases present, the earlier one in
/// `MessageHeader.correlationIDAliases` (`causationIDAliases`) wins, as a lookup in that order
/// would find. The same walk keeps the trace-context headers for extraction (``DeliveredHeaders``).
struct MessageMetadata: Sendable, Hashable {
    var id: String?
    var type: String?
    var source: String?
    var correlationID: String?
    var causationID: String?
    var compensates: String?
    /// True when the headers carry a `traceparent` or `tracestate` (whatever its value).
    var carriesTraceContext = false
    /// The values of the headers named exactly `traceparent`, `tracestate` and `baggage` (empty
    /// values included: extraction judges them).
    var traceparent: String?
    var tracestate: String?
    var baggage: String?
    /// True when a header name has an upper-case letter: only then can a name match one of the
    /// three above case-insensitively but not exactly.
    var hasUpperCaseName = false

    init(headers: [String: String]) {
        // The alias rank of the value taken so far (lower wins); Int.max: none yet.
        var correlationRank = Int.max
        var causationRank = Int.max
        for (name, value) in headers {
            switch name {
            case MessageHeader.traceparent:
                traceparent = value
                carriesTraceContext = true
            case MessageHeader.tracestate:
                tracestate = value
                carriesTraceContext = true
            case MessageHeader.baggage: baggage = value
            case MessageHeader.id: if !value.isEmpty { id = value }
            case MessageHeader.type: if !value.isEmpty { type = value }
            case MessageHeader.source: if !value.isEmpty { source = value }
            case MessageHeader.compensates: if !value.isEmpty { compensates = value }
            default:
                if let rank = Self.rank(of: name, in: MessageHeader.correlationIDAliases) {
                    if rank < correlationRank, !value.isEmpty {
                        correlationRank = rank
                        correlationID = value
                    }
                } else if let rank = Self.rank(of: name, in: MessageHeader.causationIDAliases) {
                    if rank < causationRank, !value.isEmpty {
                        causationRank = rank
                        causationID = value
                    }
                } else if !hasUpperCaseName, name.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
                    hasUpperCaseName = true
                }
            }
        }
    }

    private static func rank(of name: String, in aliases: [String]) -> Int? {
        for index in aliases.indices where aliases[index] == name { return index }
        return nil
    }
}
