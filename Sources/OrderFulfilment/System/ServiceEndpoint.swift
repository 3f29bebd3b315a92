import ChoreoInstrumentation
import ChoreoModel

/// A service's connection to the bus: publishes order messages (recording them as truth
/// first) and subscribes handlers with the service's name as consumer group, as an
/// idempotent consumer with the order's injected faults.
public struct ServiceEndpoint<Bus: MessageBus>: Sendable {
    /// The traced bus of this service.
    public let bus: TracedBus<Bus>
    /// Where publishes and final states are recorded.
    public let recorder: TruthRecorder
    /// Tells whether a topic has consumers; a publish to one without is recorded as unrouted.
    let isRouted: (@Sendable (String) async -> Bool)?
    /// The ids of the messages this service handled (when there is no ``idempotency`` store).
    let inbox = Inbox()
    /// A durable copy of the truth, for services in separate processes.
    public let journal: (any TruthJournal)?
    /// A durable idempotent-consumer memory, replacing the in-memory inbox.
    public let idempotency: (any IdempotencyStore)?

    /// The service's name.
    public var service: String { bus.service }

    /// Creates an endpoint for `service` on `bus`.
    ///
    /// `isRouted`, if given, says whether a topic has any consumer (e.g. ``InMemoryBus/hasSubscribers(topic:)``);
    /// a message published to a topic without one makes its flow `stuck` in the truth.
    public init(
        _ bus: Bus, service: String, recorder: TruthRecorder, traceMode: ConsumerTraceMode = .childOfProducer,
        isRouted: (@Sendable (String) async -> Bool)? = nil, journal: (any TruthJournal)? = nil,
        idempotency: (any IdempotencyStore)? = nil
    ) {
        self.bus = TracedBus(bus, service: service, traceMode: traceMode)
        self.recorder = recorder
        self.isRouted = isRouted
        self.journal = journal
        self.idempotency = idempotency
    }

    /// Records that the flow's terminal message `outcome` was handled (in the journal too).
    public func recordEnd(correlationID: String, outcome: OrderMessageType) async throws {
        try await journal?.recordEnd(correlationID: correlationID, outcome: outcome)
        recorder.recordEnd(correlationID: correlationID, outcome: outcome)
    }

    /// Publishes `type` with the order as body; returns the message id.
    ///
    /// The correlation id is `correlationID`, else the handled message's (inside a handler or a
    /// timer job). A message the order's faults duplicate carries ``InMemoryBus/duplicateDeliveryHeader``.
    @discardableResult
    public func publish(
        _ type: OrderMessageType, _ details: OrderDetails, correlationID: String? = nil, compensating: String? = nil
    ) async throws -> String {
        let body = try details.encoded()
        let id = MessageID.next()
        let handling = MessageContext.current
        let correlation = correlationID ?? handling?.correlationID ?? details.orderID
        let step = FlowStep(
            type: type, service: service, messageID: id, causationID: handling?.messageID, compensates: compensating
        )
        var headers = [MessageHeader.id: id]
        if let duplicate = details.faults.duplicate, duplicate.type == type {
            headers[InMemoryBus.duplicateDeliveryHeader] = duplicate.service
        }
        // Recorded last before the publish, so the truth's order follows the producer spans' as
        // closely as possible (two parallel branches may still interleave between the two).
        try await journal?.recordPublish(step, correlationID: correlation)
        recorder.recordPublish(step, correlationID: correlation)
        if let isRouted, await !isRouted(type.topic) {
            try await journal?.recordUnrouted(correlationID: correlation, type: type)
            recorder.recordUnrouted(correlationID: correlation, type: type)
        }
        try await bus.publish(
            type: type.rawValue, to: type.topic, body: body, headers: headers,
            correlationID: correlation, compensating: compensating
        )
        return id
    }

    /// Handles messages of `type`; the body is decoded (a malformed body throws, so it is
    /// retried and eventually dead-lettered).
    ///
    /// A message this service handled before is ignored (``DuplicateMessage``). The order's
    /// injected faults for this delivery fail it. When the last attempt fails, the flow is
    /// recorded as failed: the bus dead-letters the message.
    public func on(
        _ type: OrderMessageType, _ handle: @escaping @Sendable (OrderDetails, MessageContext) async throws -> Void
    ) async throws {
        let service = service
        let inbox = inbox
        let recorder = recorder
        let idempotency = idempotency
        try await bus.subscribe(topic: type.topic, group: service) { delivery in
            guard let context = MessageContext.current else { return }
            if let id = context.messageID {
                if let idempotency {
                    guard try await idempotency.firstDelivery(of: id, to: service) else { throw DuplicateMessage(messageID: id) }
                } else if inbox.contains(id) {
                    throw DuplicateMessage(messageID: id)
                }
            }
            do {
                let details = try OrderDetails(decoding: delivery.message.body)
                try InjectedFault.check(details.faults, service: service, type: type, attempt: delivery.attempt)
                try await handle(details, context)
                if idempotency == nil, let id = context.messageID { inbox.insert(id) }
            } catch {
                if delivery.isLastAttempt { recorder.recordFailure(correlationID: context.correlationID, type: type) }
                throw error
            }
        }
    }
}
