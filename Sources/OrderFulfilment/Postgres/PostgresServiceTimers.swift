import ChoreoInstrumentation
import ChoreoModel
import ChoreoPostgresBus
import Tracing

/// Durable business timers on a ``PostgresBus``: a scheduled job is a delayed message
/// (``PostgresBus/publish(_:after:)``) to topic `timer.<job>` for the scheduling service's
/// group, inserted in the scheduling handler's transaction. It commits with the handler (a
/// handler that fails schedules nothing) and survives the process: whichever process of the
/// service runs when it falls due fires it, in a transaction with its publishes.
///
/// The message carries the order, the flow's correlation id, the handled message's id and
/// type (the cause of the job's publishes) and its trace context, restored when the job runs.
/// Delays are measured by the database's clock: one business day is ``dayLength`` of real time.
public struct PostgresServiceTimers: ServiceTimers {
    /// The bus the delayed messages go through.
    public let bus: PostgresBus
    /// How long one business day lasts.
    public let dayLength: Duration

    /// Header names of a timer message (besides `correlationid`, `type` and the trace context).
    enum Header {
        static let causeID = "timer-cause-id"
        static let causeType = "timer-cause-type"
        static let causeTopic = "timer-cause-topic"
    }

    /// The topic prefix of timer messages; ``topic(of:)`` is `timer.<job>`.
    public static let topicPrefix = "timer."

    /// Creates durable timers on `bus`.
    public init(bus: PostgresBus, dayLength: Duration) {
        self.bus = bus
        self.dayLength = dayLength
    }

    /// The topic of job `name`.
    public static func topic(of name: String) -> String { topicPrefix + name }

    /// Subscribes `service`'s group to the job's topic; `fire` runs in the delivery's transaction.
    public func register(
        _ name: String, service: String, fire: @escaping @Sendable (OrderDetails) async throws -> Void
    ) async throws {
        try await bus.subscribe(topic: Self.topic(of: name), group: service) { delivery in
            let headers = delivery.message.headers
            let order = try OrderDetails(decoding: delivery.message.body)
            let context = MessageContext(
                messageID: headers[Header.causeID], correlationID: headers[MessageHeader.correlationID] ?? order.orderID,
                type: headers[Header.causeType], topic: headers[Header.causeTopic] ?? Self.topic(of: name),
                group: service, attempt: delivery.attempt
            )
            var trace = InstrumentationContext.topLevel
            InstrumentationSystem.instrument.extract(headers, into: &trace, using: HeaderExtractor())
            let restored = trace
            try await MessageContext.$current.withValue(context) {
                try await InstrumentationContext.withValue(restored) { try await fire(order) }
            }
        }
    }

    /// Publishes the job's delayed message (in the current handler's transaction, if any).
    public func schedule(
        _ name: String, afterDays days: Double, order: OrderDetails,
        fire: @escaping @Sendable (OrderDetails) async throws -> Void
    ) async throws {
        let handling = MessageContext.current
        var headers = [
            MessageHeader.correlationID: handling?.correlationID ?? order.orderID,
            MessageHeader.type: Self.topic(of: name),
        ]
        headers[Header.causeID] = handling?.messageID
        headers[Header.causeType] = handling?.type
        headers[Header.causeTopic] = handling?.topic
        if let trace = InstrumentationContext.current {
            InstrumentationSystem.instrument.inject(trace, into: &headers, using: HeaderInjector())
        }
        let message = Message(topic: Self.topic(of: name), headers: headers, body: try order.encoded())
        try await bus.publish(message, after: dayLength * days)
    }
}
