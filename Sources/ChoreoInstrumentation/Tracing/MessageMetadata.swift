import ChoreoModel

/// The CloudEvents metadata of a message, read tolerantly from its headers: aliases are
/// accepted and empty values count as absent. Never fails, whatever the header values.
///
/// Read on every publish and every delivery, so the headers are walked once, and each name is
/// compared only with the known names of its length (``Slot``, found by the name's UTF-8 length:
/// usually one comparison, never a hash), instead of hashing each of the ten names and aliases
/// for a dictionary lookup. Of several aliases present, the earlier one in
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
    /// True when a name as long as `traceparent`, `tracestate` or `baggage` and not one of them
    /// has an upper-case letter: only such a name can match one of them case-insensitively (the
    /// only upper-case letters that lower-case to these names' letters are ASCII ones, so a
    /// match has the same UTF-8 length).
    var hasUpperCaseName = false
    /// The correlation id was found under `correlationid` itself (not an alias).
    var correlationIDIsCanonical = false
    /// The causation id was found under `causationid` itself (not an alias).
    var causationIDIsCanonical = false

    init() {}

    /// The metadata of `headers` (see ``read(_:)``).
    init(headers: [String: String]) {
        read(headers)
    }

    /// Reads the metadata of `headers` into this empty value. On the hot paths, reading into a
    /// local `var` made empty (instead of returning the value from an initializer) spares a copy
    /// and a destruction of the whole struct, which the compiler made of the initializer's return.
    mutating func read(_ headers: [String: String]) {
        // The alias rank of the value taken so far (lower wins); Int.max: none yet.
        var correlationRank = Int.max
        var causationRank = Int.max
        let slots = Self.slotsByLength
        for (name, value) in headers {
            let length = name.utf8.count
            guard length < slots.count else { continue }
            let slot = slots[length]
            guard let role = slot.role(of: name) else {
                if slot.holdsTraceContextName, !hasUpperCaseName,
                    name.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") })
                {
                    hasUpperCaseName = true
                }
                continue
            }
            switch role {
            case .traceparent:
                traceparent = value
                carriesTraceContext = true
            case .tracestate:
                tracestate = value
                carriesTraceContext = true
            case .baggage: baggage = value
            case .id: if !value.isEmpty { id = value }
            case .type: if !value.isEmpty { type = value }
            case .source: if !value.isEmpty { source = value }
            case .compensates: if !value.isEmpty { compensates = value }
            case .correlation(let rank):
                if rank < correlationRank, !value.isEmpty {
                    correlationRank = rank
                    correlationID = value
                    correlationIDIsCanonical = rank == 0
                }
            case .causation(let rank):
                if rank < causationRank, !value.isEmpty {
                    causationRank = rank
                    causationID = value
                    causationIDIsCanonical = rank == 0
                }
            }
        }
    }

    /// What a known header name means.
    enum Role: Sendable, Equatable {
        case traceparent, tracestate, baggage, id, type, source, compensates
        /// A correlation id alias, with its rank in `MessageHeader.correlationIDAliases`.
        case correlation(Int)
        /// A causation id alias, with its rank in `MessageHeader.causationIDAliases`.
        case causation(Int)
    }

    /// The known names of one UTF-8 length.
    struct Slot: Sendable {
        var names: [(name: String, role: Role)] = []
        /// True when `traceparent`, `tracestate` or `baggage` has this length.
        var holdsTraceContextName = false

        func role(of name: String) -> Role? {
            for entry in names where entry.name == name { return entry.role }
            return nil
        }
    }

    /// Every known name, by its UTF-8 length (index); names longer than the longest are unknown.
    static let slotsByLength: [Slot] = {
        var known: [(name: String, role: Role)] = [
            (MessageHeader.traceparent, .traceparent), (MessageHeader.tracestate, .tracestate),
            (MessageHeader.baggage, .baggage), (MessageHeader.id, .id), (MessageHeader.type, .type),
            (MessageHeader.source, .source), (MessageHeader.compensates, .compensates),
        ]
        known += MessageHeader.correlationIDAliases.enumerated().map { ($0.element, .correlation($0.offset)) }
        known += MessageHeader.causationIDAliases.enumerated().map { ($0.element, .causation($0.offset)) }
        var slots = [Slot](repeating: Slot(), count: (known.map(\.name.utf8.count).max() ?? 0) + 1)
        for entry in known where slots[entry.name.utf8.count].role(of: entry.name) == nil {
            slots[entry.name.utf8.count].names.append(entry)
        }
        for name in [MessageHeader.traceparent, MessageHeader.tracestate, MessageHeader.baggage] {
            slots[name.utf8.count].holdsTraceContextName = true
        }
        return slots
    }()
}
