/// What a handler of a ``TracedBus`` subscription is handling: bound as a task local while
/// the handler runs, so that its publishes inherit the correlation id and name their cause.
public struct MessageContext: Sendable, Hashable {
    /// The `id` header of the message being handled, if it had one.
    public var messageID: String?
    /// The flow the message belongs to: its correlation id header (or an alias), else its own id.
    public var correlationID: String
    /// The `type` header of the message, if any.
    public var type: String?
    /// The topic the message was delivered from.
    public var topic: String
    /// The consumer group handling it.
    public var group: String
    /// The delivery attempt, 1 for the first.
    public var attempt: Int

    /// Creates a message context.
    public init(messageID: String?, correlationID: String, type: String?, topic: String, group: String, attempt: Int) {
        self.messageID = messageID
        self.correlationID = correlationID
        self.type = type
        self.topic = topic
        self.group = group
        self.attempt = attempt
    }

    /// The message being handled by the current task, or `nil` outside a ``TracedBus`` handler.
    @TaskLocal public static var current: MessageContext?
}
