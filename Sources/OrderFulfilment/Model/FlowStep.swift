/// One message a service of the system published, as the service itself recorded it.
public struct FlowStep: Sendable, Hashable {
    /// The message type.
    public var type: OrderMessageType
    /// The publishing service.
    public var service: String
    /// The message's `id` header.
    public var messageID: String
    /// The `id` of the message whose handling published it (`nil` for checkout's `OrderPlaced`).
    public var causationID: String?
    /// The `id` of the message it compensates, if it is a compensation.
    public var compensates: String?

    /// Creates a step.
    public init(type: OrderMessageType, service: String, messageID: String, causationID: String?, compensates: String?) {
        self.type = type
        self.service = service
        self.messageID = messageID
        self.causationID = causationID
        self.compensates = compensates
    }
}
