/// A message that a consumer group failed to handle in every allowed attempt.
public struct DeadLetter: Sendable, Hashable {
    /// The message as it was delivered.
    public var message: Message
    /// The consumer group that gave up on it.
    public var group: String
    /// How many attempts were made (the bus's `maxAttempts`).
    public var attempts: Int
    /// The type name of the error thrown by the last attempt.
    public var errorType: String
    /// The description of the error thrown by the last attempt.
    public var errorDescription: String

    /// Creates a dead letter record.
    public init(message: Message, group: String, attempts: Int, errorType: String, errorDescription: String) {
        self.message = message
        self.group = group
        self.attempts = attempts
        self.errorType = errorType
        self.errorDescription = errorDescription
    }
}
