import ChoreoInstrumentation
import ChoreoModel

/// A service's connection to the bus: publishes order messages (recording them as truth
/// first) and subscribes handlers with the service's name as consumer group.
public struct ServiceEndpoint<Bus: MessageBus>: Sendable {
    /// The traced bus of this service.
    public let bus: TracedBus<Bus>
    /// Where publishes are recorded.
    public let recorder: TruthRecorder

    /// The service's name.
    public var service: String { bus.service }

    /// Creates an endpoint for `service` on `bus`.
    public init(_ bus: Bus, service: String, recorder: TruthRecorder, traceMode: TracedBus<Bus>.TraceMode = .childOfProducer) {
        self.bus = TracedBus(bus, service: service, traceMode: traceMode)
        self.recorder = recorder
    }

    /// Publishes `type` with the order as body; returns the message id.
    ///
    /// The correlation id is `correlationID`, else the handled message's (inside a handler).
    @discardableResult
    public func publish(
        _ type: OrderMessageType, _ details: OrderDetails, correlationID: String? = nil, compensating: String? = nil
    ) async throws -> String {
        let id = MessageID.next()
        let handling = MessageContext.current
        let correlation = correlationID ?? handling?.correlationID ?? details.orderID
        let step = FlowStep(
            type: type, service: service, messageID: id, causationID: handling?.messageID, compensates: compensating
        )
        recorder.recordPublish(step, correlationID: correlation)
        try await bus.publish(
            type: type.rawValue, to: type.topic, body: details.encoded(), headers: [MessageHeader.id: id],
            correlationID: correlation, compensating: compensating
        )
        return id
    }

    /// Handles messages of `type`; the body is decoded (a malformed body throws, so it is
    /// retried and eventually dead-lettered).
    public func on(
        _ type: OrderMessageType, _ handle: @escaping @Sendable (OrderDetails, MessageContext) async throws -> Void
    ) async throws {
        try await bus.subscribe(topic: type.topic, group: service) { delivery in
            let details = try OrderDetails(decoding: delivery.message.body)
            guard let context = MessageContext.current else { return }
            try await handle(details, context)
        }
    }
}
