import ChoreoModel
import Tracing

extension TracedBus {
    /// Subscribes `handler` wrapped in a CONSUMER span `process {topic}` per delivery.
    ///
    /// The span's parent is the trace context extracted from the headers (in
    /// ``TraceMode/childOfProducer``) and it always links to it. While the handler runs, the
    /// span's context and a ``MessageContext`` are bound as task locals, so the handler's
    /// publishes inherit the correlation id and name the message as their cause.
    ///
    /// Outcome (`choreo.delivery.outcome`): `handled` on return; `duplicate_ignored` if the
    /// handler throws ``DuplicateMessage`` (the delivery is acknowledged); on any other error
    /// the span records it and `error.type`, the outcome is `retry` or, on the last attempt,
    /// `dead_lettered`, and the error is rethrown for the bus to act on.
    public func subscribe(topic: String, group: String, handler: @escaping MessageHandler) async throws {
        try await bus.subscribe(topic: topic, group: group) { delivery in
            try await self.handle(delivery, topic: topic, group: group, handler: handler)
        }
    }

    func handle(_ delivery: Delivery, topic: String, group: String, handler: MessageHandler) async throws {
        let headers = delivery.message.headers
        var metadata = MessageMetadata(headers: headers)
        // A message without a correlation id starts its own flow, keyed by its id.
        if metadata.correlationID == nil { metadata.correlationID = metadata.id }
        var extracted = InstrumentationContext.topLevel
        InstrumentationSystem.instrument.extract(headers, into: &extracted, using: HeaderExtractor())
        let parent = traceMode == .childOfProducer ? extracted : .topLevel
        let span = InstrumentationSystem.tracer.startSpan("process \(topic)", context: parent, ofKind: .consumer)
        if !extracted.isEmpty { span.addLink(SpanLink(context: extracted, attributes: [:])) }
        span.updateAttributes { attributes in
            setCommonAttributes(&attributes, topic: topic, metadata: metadata)
            attributes[MessagingKey.operationType] = MessagingOperation.process
            attributes[MessagingKey.operationName] = "process"
            attributes[MessagingKey.consumerGroup] = group
            attributes[MessagingKey.bodySize] = delivery.message.body.count
            attributes[ChoreoKey.deliveryAttempt] = delivery.attempt
        }
        let context = MessageContext(
            messageID: metadata.id, correlationID: metadata.correlationID ?? MessageID.next(), type: metadata.type,
            topic: topic, group: group, attempt: delivery.attempt
        )
        do {
            try await MessageContext.$current.withValue(context) {
                try await InstrumentationContext.withValue(span.context) {
                    try await handler(delivery)
                }
            }
            span.attributes[ChoreoKey.deliveryOutcome] = DeliveryOutcome.handled.rawValue
        } catch is DuplicateMessage {
            span.attributes[ChoreoKey.deliveryOutcome] = DeliveryOutcome.duplicateIgnored.rawValue
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: String(describing: error)))
            let outcome: DeliveryOutcome = delivery.isLastAttempt ? .deadLettered : .retry
            span.updateAttributes { attributes in
                attributes[MessagingKey.errorType] = String(describing: type(of: error))
                attributes[ChoreoKey.deliveryOutcome] = outcome.rawValue
            }
            span.end()
            throw error
        }
        span.end()
    }
}
