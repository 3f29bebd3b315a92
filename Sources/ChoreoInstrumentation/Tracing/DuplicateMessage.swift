/// Thrown by a handler to report that it has already handled this message and ignored it.
///
/// A ``TracedBus`` subscription catches it: the delivery is acknowledged (no retry) and the
/// consumer span's `choreo.delivery.outcome` is `duplicate_ignored`.
public struct DuplicateMessage: Error, Sendable, Hashable {
    /// The id of the ignored message, if known.
    public var messageID: String?

    /// Creates the marker; `messageID` defaults to the message being handled.
    public init(messageID: String? = MessageContext.current?.messageID) {
        self.messageID = messageID
    }
}
