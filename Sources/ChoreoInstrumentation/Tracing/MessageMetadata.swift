import ChoreoModel

/// The CloudEvents metadata of a message, read tolerantly from its headers: aliases are
/// accepted and empty values count as absent. Never fails, whatever the header values.
///
/// Read on every publish and every delivery, so the headers are walked once, comparing names
/// (short strings, compared without hashing), instead of hashing each of the ten names and
/// aliases for a dictionary lookup. Of several aliases present, the earlier one in
/// `MessageHeader.correlationIDAliases` (`causationIDAliases`) wins, as a lookup in that order
/// would find.
struct MessageMetadata: Sendable, Hashable {
    var id: String?
    var type: String?
    var source: String?
    var correlationID: String?
    var causationID: String?
    var compensates: String?
    /// True when the headers carry a `traceparent` or `tracestate` (whatever its value).
    var carriesTraceContext = false

    init(headers: [String: String]) {
        // The alias rank of the value taken so far (lower wins); Int.max: none yet.
        var correlationRank = Int.max
        var causationRank = Int.max
        for (name, value) in headers {
            if name == MessageHeader.traceparent || name == MessageHeader.tracestate { carriesTraceContext = true }
            guard !value.isEmpty else { continue }
            switch name {
            case MessageHeader.id: id = value
            case MessageHeader.type: type = value
            case MessageHeader.source: source = value
            case MessageHeader.compensates: compensates = value
            default:
                if let rank = Self.rank(of: name, in: MessageHeader.correlationIDAliases), rank < correlationRank {
                    correlationRank = rank
                    correlationID = value
                } else if let rank = Self.rank(of: name, in: MessageHeader.causationIDAliases), rank < causationRank {
                    causationRank = rank
                    causationID = value
                }
            }
        }
    }

    private static func rank(of name: String, in aliases: [String]) -> Int? {
        for index in aliases.indices where aliases[index] == name { return index }
        return nil
    }
}
