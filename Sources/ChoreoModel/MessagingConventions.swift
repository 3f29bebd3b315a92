/// How a span says which flow, message and role it has, in every generation of the OpenTelemetry
/// messaging semantic conventions still in the field, and in CloudEvents span attributes.
///
/// The one place that knows the aliases: ingest (the stored correlation id), the flow builder
/// and every other reader call it. Aliases are read where they are used; spans are stored as
/// they were sent (docs/messaging-conventions.md says why). Each reader tries the current key
/// first, so a span in the current conventions costs one dictionary lookup per question, and
/// no reader allocates. A reader with many questions for one span (the flow builder) reads it
/// once with ``MessagingAttributes``, which gives the same answers.
public enum MessagingConventions {
    /// `messaging.conversation_id`: the flow's id before semantic conventions 1.17.0.
    public static let legacyConversationID = "messaging.conversation_id"
    /// `messaging.message_id`: the message id before semantic conventions 1.17.0.
    public static let legacyMessageID = "messaging.message_id"
    /// `messaging.operation`: the operation before `messaging.operation.type` (1.26.0 and later).
    public static let legacyOperation = "messaging.operation"
    /// `messaging.destination`: the destination name before semantic conventions 1.17.0.
    public static let legacyDestination = "messaging.destination"
    /// The Kafka consumer group: 1.17.0 to 1.26.0, and before 1.17.0.
    public static let legacyKafkaConsumerGroups = ["messaging.kafka.consumer.group", "messaging.kafka.consumer_group"]
    /// The RabbitMQ routing key (1.17.0 and later, and before): the destination of a message sent
    /// to the default exchange, whose name is empty.
    public static let rabbitMQRoutingKeys = ["messaging.rabbitmq.destination.routing_key", "messaging.rabbitmq.routing_key"]

    /// CloudEvents span attributes (OpenTelemetry semantic conventions, `cloudevents.*`).
    public enum CloudEvents {
        public static let eventID = "cloudevents.event_id"
        public static let eventType = "cloudevents.event_type"
        public static let eventSource = "cloudevents.event_source"
    }

    /// What a messaging span did with its message.
    public enum Role: Hashable, Sendable {
        /// Created or sent a message (`create`, `send`, `publish`; a PRODUCER span).
        case publish
        /// Received or processed one (`receive`, `process`, `deliver`; a CONSUMER span).
        case consume
        /// Settled one (acknowledged, rejected...): no step of its own.
        case settle
    }

    /// The flow the span belongs to: `messaging.message.conversation_id`, else
    /// `messaging.conversation_id`; nil when neither is a non-empty string.
    @inlinable
    public static func conversationID(_ attributes: [String: AttributeValue]) -> String? {
        if let id = nonEmpty(attributes, MessagingKey.conversationID) { return id }
        return nonEmpty(attributes, legacyConversationID)
    }

    /// The message's id: `messaging.message.id`, else `messaging.message_id`, else
    /// `cloudevents.event_id`.
    public static func messageID(_ attributes: [String: AttributeValue]) -> String? {
        nonEmpty(attributes, MessagingKey.messageID) ?? nonEmpty(attributes, legacyMessageID)
            ?? nonEmpty(attributes, CloudEvents.eventID)
    }

    /// The span's role: from `messaging.operation.type`, else `messaging.operation`, else the
    /// span kind (PRODUCER publishes, CONSUMER consumes); nil for an operation it does not know
    /// and for a span of another kind without one.
    public static func role(_ attributes: [String: AttributeValue], kind: SpanKind) -> Role? {
        role(operation: attributes[MessagingKey.operationType]?.stringValue ?? attributes[legacyOperation]?.stringValue, kind: kind)
    }

    /// The role of a span of `kind` whose operation (`messaging.operation.type`, else
    /// `messaging.operation`) is `operation`.
    static func role(operation: String?, kind: SpanKind) -> Role? {
        guard let operation else {
            switch kind {
            case .producer: return .publish
            case .consumer: return .consume
            default: return nil
            }
        }
        switch operation {
        case "send", "publish", "create": return .publish
        case "process", "receive", "deliver": return .consume
        case "settle": return .settle
        default: return nil
        }
    }

    /// True when the span's operation is `receive`: a consumer that took the message off the
    /// broker, which a `process` span of the same delivery may follow.
    public static func isReceive(_ attributes: [String: AttributeValue]) -> Bool {
        (attributes[MessagingKey.operationType]?.stringValue ?? attributes[legacyOperation]?.stringValue) == "receive"
    }

    /// The destination: `messaging.destination.name`, else `messaging.destination`, else (the
    /// default exchange has an empty name) the RabbitMQ routing key.
    public static func destination(_ attributes: [String: AttributeValue]) -> String? {
        if let name = nonEmpty(attributes, MessagingKey.destinationName) { return name }
        if let name = nonEmpty(attributes, legacyDestination) { return name }
        for key in rabbitMQRoutingKeys {
            if let name = nonEmpty(attributes, key) { return name }
        }
        return nil
    }

    /// The message type the span states: `choreo.event_type`, else `cloudevents.event_type`, else
    /// the attribute `typeAttribute` names (the collector's `--type-attribute`). Nil when none is
    /// there: the flow builder then takes the destination name.
    public static func eventType(_ attributes: [String: AttributeValue], typeAttribute: String?) -> String? {
        if let type = nonEmpty(attributes, ChoreoKey.eventType) { return type }
        if let type = nonEmpty(attributes, CloudEvents.eventType) { return type }
        return typeAttribute.flatMap { nonEmpty(attributes, $0) }
    }

    /// The consumer group: `messaging.consumer.group.name`, else the older Kafka keys.
    public static func consumerGroup(_ attributes: [String: AttributeValue]) -> String? {
        if let group = nonEmpty(attributes, MessagingKey.consumerGroup) { return group }
        for key in legacyKafkaConsumerGroups {
            if let group = nonEmpty(attributes, key) { return group }
        }
        return nil
    }

    @usableFromInline
    static func nonEmpty(_ attributes: [String: AttributeValue], _ key: String) -> String? {
        guard case .string(let value)? = attributes[key], !value.isEmpty else { return nil }
        return value
    }
}

extension MessagingConventions {
    /// The flow a span belongs to: its conversation id; else, for a PRODUCER or CONSUMER span
    /// with `messaging.system` but no conversation id (Kafka and RabbitMQ instrumentations that
    /// name none), its trace, as lower-case hex: propagation through the message headers puts
    /// a publish and its deliveries in one trace.
    ///
    /// Cheap on the ingest path: a span with the current key costs one lookup, and any span
    /// that is neither PRODUCER nor CONSUMER costs that one lookup alone.
    @inlinable
    public static func correlationID(of span: SpanRecord) -> String? {
        if let id = nonEmpty(span.attributes, MessagingKey.conversationID) { return id }
        guard span.kind == .producer || span.kind == .consumer else { return nil }
        if let id = nonEmpty(span.attributes, legacyConversationID) { return id }
        guard span.attributes[MessagingKey.system] != nil else { return nil }
        return span.traceID.hex
    }
}

extension SpanRecord {
    /// The flow this span belongs to (``MessagingConventions/correlationID(of:)``), if any.
    @inlinable
    public var flowCorrelationID: String? { MessagingConventions.correlationID(of: self) }
}
