/// A span's attributes as ``MessagingConventions`` reads them, found in one walk over them.
///
/// The flow builder asks each span a dozen questions (message id, role, type, destination, cause,
/// group, attempt...). Asked of the dictionary, each was a lookup that hashes a key of 10 to 42
/// bytes, most of a flow rebuild's time. One walk over the span's attributes instead finds every
/// key the conventions know by its UTF-8 length and, usually, one comparison (``slotsByLength``:
/// no key hashed), and keeps the values. Each answer applies the precedence of the
/// ``MessagingConventions`` function of the same name, which stays the way to ask one question.
public struct MessagingAttributes: Sendable {
    /// The keys the answers below read.
    enum Key: Int, CaseIterable {
        case conversationID, legacyConversationID, messageID, legacyMessageID, cloudEventID
        case operationType, legacyOperation
        case destinationName, legacyDestination, routingKey, legacyRoutingKey
        case eventType, cloudEventType, cloudEventSource
        case causationID, compensates, source
        case consumerGroup, kafkaConsumerGroup, legacyKafkaConsumerGroup
        case deliveryAttempt, deliveryOutcome, errorType, system

        var name: String {
            switch self {
            case .conversationID: MessagingKey.conversationID
            case .legacyConversationID: MessagingConventions.legacyConversationID
            case .messageID: MessagingKey.messageID
            case .legacyMessageID: MessagingConventions.legacyMessageID
            case .cloudEventID: MessagingConventions.CloudEvents.eventID
            case .operationType: MessagingKey.operationType
            case .legacyOperation: MessagingConventions.legacyOperation
            case .destinationName: MessagingKey.destinationName
            case .legacyDestination: MessagingConventions.legacyDestination
            case .routingKey: MessagingConventions.rabbitMQRoutingKeys[0]
            case .legacyRoutingKey: MessagingConventions.rabbitMQRoutingKeys[1]
            case .eventType: ChoreoKey.eventType
            case .cloudEventType: MessagingConventions.CloudEvents.eventType
            case .cloudEventSource: MessagingConventions.CloudEvents.eventSource
            case .causationID: ChoreoKey.causationID
            case .compensates: ChoreoKey.compensates
            case .source: ChoreoKey.source
            case .consumerGroup: MessagingKey.consumerGroup
            case .kafkaConsumerGroup: MessagingConventions.legacyKafkaConsumerGroups[0]
            case .legacyKafkaConsumerGroup: MessagingConventions.legacyKafkaConsumerGroups[1]
            case .deliveryAttempt: ChoreoKey.deliveryAttempt
            case .deliveryOutcome: ChoreoKey.deliveryOutcome
            case .errorType: MessagingKey.errorType
            case .system: MessagingKey.system
            }
        }
    }

    /// The attributes read.
    private let attributes: [String: AttributeValue]
    /// Where each ``Key`` (by its raw value; one slot per case) is in ``attributes``, nil when it
    /// is not there: a position, not a copy of the value, so that the struct copies and goes away
    /// without retaining or releasing anything but the dictionary.
    private var positions: InlineArray<24, Dictionary<String, AttributeValue>.Index?> = .init(repeating: nil)

    /// Reads `attributes` in one walk.
    public init(_ attributes: [String: AttributeValue]) {
        self.attributes = attributes
        let slots = Self.slotsByLength
        var index = attributes.startIndex
        while index != attributes.endIndex {
            let name = attributes.keys[index]
            let length = name.utf8.count
            if length < slots.count {
                for entry in slots[length] where entry.name == name {
                    positions[entry.key.rawValue] = index
                    break
                }
            }
            attributes.formIndex(after: &index)
        }
    }

    /// Every key, by its UTF-8 length (index); keys longer than the longest are none of them.
    static let slotsByLength: [[(name: String, key: Key)]] = {
        let longest = Key.allCases.map(\.name.utf8.count).max() ?? 0
        var slots = [[(name: String, key: Key)]](repeating: [], count: longest + 1)
        for key in Key.allCases { slots[key.name.utf8.count].append((key.name, key)) }
        return slots
    }()

    /// The value of `key`, if the span has it.
    subscript(_ key: Key) -> AttributeValue? {
        positions[key.rawValue].map { attributes.values[$0] }
    }

    /// The value of `key` when it is a non-empty string.
    private func nonEmpty(_ key: Key) -> String? {
        guard case .string(let value)? = self[key], !value.isEmpty else { return nil }
        return value
    }

    /// ``MessagingConventions/correlationID(of:)`` for a span of `kind` in trace `traceID`.
    public func correlationID(kind: SpanKind, traceID: TraceID) -> String? {
        if let id = nonEmpty(.conversationID) { return id }
        guard kind == .producer || kind == .consumer else { return nil }
        if let id = nonEmpty(.legacyConversationID) { return id }
        guard positions[Key.system.rawValue] != nil else { return nil }
        return traceID.hex
    }

    /// ``MessagingConventions/messageID(_:)``.
    public var messageID: String? { nonEmpty(.messageID) ?? nonEmpty(.legacyMessageID) ?? nonEmpty(.cloudEventID) }

    /// The operation: `messaging.operation.type`, else `messaging.operation`, when a string.
    private var operation: String? {
        self[.operationType]?.stringValue ?? self[.legacyOperation]?.stringValue
    }

    /// ``MessagingConventions/role(_:kind:)``.
    public func role(kind: SpanKind) -> MessagingConventions.Role? {
        MessagingConventions.role(operation: operation, kind: kind)
    }

    /// ``MessagingConventions/isReceive(_:)``.
    public var isReceive: Bool { operation == "receive" }

    /// ``MessagingConventions/destination(_:)``.
    public var destination: String? {
        nonEmpty(.destinationName) ?? nonEmpty(.legacyDestination) ?? nonEmpty(.routingKey) ?? nonEmpty(.legacyRoutingKey)
    }

    /// ``MessagingConventions/eventType(_:typeAttribute:)`` (`typeAttribute` looked up only when
    /// the span states no type under the conventions' keys).
    public func eventType(typeAttribute: String?) -> String? {
        if let type = nonEmpty(.eventType) ?? nonEmpty(.cloudEventType) { return type }
        guard let typeAttribute, case .string(let type)? = attributes[typeAttribute], !type.isEmpty else { return nil }
        return type
    }

    /// ``MessagingConventions/consumerGroup(_:)``.
    public var consumerGroup: String? {
        nonEmpty(.consumerGroup) ?? nonEmpty(.kafkaConsumerGroup) ?? nonEmpty(.legacyKafkaConsumerGroup)
    }

    /// `choreo.causation_id`, when a non-empty string.
    public var causationID: String? { nonEmpty(.causationID) }
    /// `choreo.compensates`, when a non-empty string.
    public var compensates: String? { nonEmpty(.compensates) }
    /// `choreo.source`, when a non-empty string.
    public var source: String? { nonEmpty(.source) }
    /// `cloudevents.event_source`, when a non-empty string.
    public var cloudEventSource: String? { nonEmpty(.cloudEventSource) }
    /// `error.type`, when a non-empty string.
    public var errorType: String? { nonEmpty(.errorType) }
    /// `choreo.delivery.attempt`, when an integer.
    public var deliveryAttempt: Int64? { self[.deliveryAttempt]?.intValue }
    /// `choreo.delivery.outcome`, when a string.
    public var deliveryOutcome: String? { self[.deliveryOutcome]?.stringValue }
}
