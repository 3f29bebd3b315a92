/// Attribute keys of the OpenTelemetry messaging semantic conventions that Choreoscope uses.
public enum MessagingKey {
    public static let system = "messaging.system"
    public static let destinationName = "messaging.destination.name"
    public static let operationType = "messaging.operation.type"
    public static let operationName = "messaging.operation.name"
    public static let messageID = "messaging.message.id"
    public static let conversationID = "messaging.message.conversation_id"
    public static let consumerGroup = "messaging.consumer.group.name"
    public static let bodySize = "messaging.message.body.size"
    public static let errorType = "error.type"
    /// A span attribute naming the service that did the work, for processes hosting several
    /// services. Tracers that support it lift it into the resource's `service.name`.
    public static let serviceName = "service.name"
}

/// Choreoscope's own attribute keys, under `choreo.`.
public enum ChoreoKey {
    public static let eventType = "choreo.event_type"
    public static let causationID = "choreo.causation_id"
    public static let compensates = "choreo.compensates"
    /// The publishing service (CloudEvents `source`), also recorded on consumer spans.
    public static let source = "choreo.source"
    public static let deliveryAttempt = "choreo.delivery.attempt"
    public static let deliveryOutcome = "choreo.delivery.outcome"
}

/// `messaging.operation.type` values.
public enum MessagingOperation {
    public static let send = "send"
    public static let process = "process"
    public static let settle = "settle"
}

/// `choreo.delivery.outcome` values.
public enum DeliveryOutcome: String, Codable, Hashable, Sendable, CaseIterable {
    case handled
    case retry
    case deadLettered = "dead_lettered"
    case duplicateIgnored = "duplicate_ignored"
}
