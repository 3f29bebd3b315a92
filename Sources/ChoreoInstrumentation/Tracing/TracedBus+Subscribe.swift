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
    /// `dead_lettered`, and the error is rethrown for the bus to act on. With no instrument in
    /// effect (nothing bootstrapped or scoped, or a `NoOpTracer`) no span is started and nothing
    /// is extracted; the ``MessageContext`` is bound all the same.
    public func subscribe(topic: String, group: String, handler: @escaping MessageHandler) async throws {
        let handling = DeliveryHandling(service: service, system: system, traceMode: traceMode)
        try await bus.subscribe(topic: topic, group: group, handler: handling.handler(topic: topic, group: group, wrapping: handler))
    }
}

/// What `TracedBus` does around each delivery, apart from its bus: not generic over the bus, so
/// the handler it wraps is not either (a closure formed in `TracedBus<Bus>` had the bus's
/// generic metadata instantiated on every delivery).
struct DeliveryHandling: Sendable {
    let service: String
    let system: String
    let traceMode: ConsumerTraceMode

    /// `handler` wrapped in a CONSUMER span per delivery (see ``TracedBus/subscribe(topic:group:handler:)``).
    func handler(topic: String, group: String, wrapping handler: @escaping MessageHandler) -> MessageHandler {
        // Named once per subscription, not per delivery.
        let spanName = "process \(topic)"
        return { delivery in
            try await self.handle(delivery, topic: topic, group: group, spanName: spanName, handler: handler)
        }
    }

    @inline(__always)
    func handle(_ delivery: Delivery, topic: String, group: String, spanName: String, handler: MessageHandler) async throws {
        let headers = delivery.message.headers
        var metadata = MessageMetadata()
        metadata.read(headers)
        // A message without a correlation id starts its own flow, keyed by its id.
        if metadata.correlationID == nil { metadata.correlationID = metadata.id }
        let context = MessageContext(
            messageID: metadata.id, correlationID: metadata.correlationID ?? MessageID.next(), type: metadata.type,
            topic: topic, group: group, attempt: delivery.attempt
        )
        let active = ActiveInstrumentation.current
        guard active.isActive else {
            try await handleUntraced(delivery, context: context, handler: handler)
            return
        }
        let messagingSpan = startConsumerSpan(spanName, headers: headers, metadata: metadata, active: active)
        let span = messagingSpan.span
        // The attributes are built here and recorded in one write when the outcome is known.
        var attributes = AttributeList()
        let recording = span.isRecording
        if recording {
            attributes = metadata.commonAttributes(system: system, service: service, topic: topic)
            attributes.append(MessagingKey.operationType, .string(MessagingOperation.process))
            attributes.append(MessagingKey.operationName, .string("process"))
            attributes.append(MessagingKey.consumerGroup, .string(group))
            attributes.append(MessagingKey.bodySize, .int(Int64(delivery.message.body.count)))
            attributes.append(ChoreoKey.deliveryAttempt, .int(Int64(delivery.attempt)))
        }
        let outcome: DeliveryOutcome
        do {
            try await MessageContext.$current.withValue(context) {
                try await InstrumentationContext.withValue(span.context) {
                    try await handler(delivery)
                }
            }
            outcome = .handled
        } catch is DuplicateMessage {
            outcome = .duplicateIgnored
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: String(describing: error)))
            if recording {
                attributes.append(MessagingKey.errorType, .string(String(describing: type(of: error))))
                attributes.append(ChoreoKey.deliveryOutcome, .string((delivery.isLastAttempt ? DeliveryOutcome.deadLettered : .retry).rawValue))
                messagingSpan.record(attributes)
            }
            span.end()
            throw error
        }
        if recording {
            attributes.append(ChoreoKey.deliveryOutcome, .string(outcome.rawValue))
            messagingSpan.record(attributes)
        }
        span.end()
    }

    /// The delivery's CONSUMER span: a child of the extracted producer context (in
    /// ``TraceMode/childOfProducer``) linked to it. Started by the tracer from the header values
    /// when it can (``DeliverySpanTracer``) and the headers carry no trace context but
    /// `traceparent` and `tracestate` under their exact names; else through the instrument's
    /// `extract` into a context of its own.
    private func startConsumerSpan(
        _ name: String, headers: [String: String], metadata: MessageMetadata, active: ActiveInstrumentation
    ) -> MessagingSpan {
        if metadata.baggage == nil, !metadata.hasUpperCaseName,
            let span = active.startDeliverySpan(
                name, traceparent: metadata.traceparent, tracestate: metadata.tracestate, childOfProducer: traceMode == .childOfProducer)
        {
            return span
        }
        var extracted = InstrumentationContext.topLevel
        active.extract(DeliveredHeaders(headers: headers, metadata: metadata), into: &extracted)
        let parent = traceMode == .childOfProducer ? extracted : .topLevel
        let span = active.startConsumerSpan(name, parent: parent)
        if span.span.isRecording, !extracted.isEmpty { span.span.addLink(SpanLink(context: extracted, attributes: [:])) }
        return span
    }

    /// A delivery with no instrument in effect: the handler runs with its ``MessageContext`` and
    /// an empty service context (bound only when the surrounding one is not already empty), and
    /// ``DuplicateMessage`` still acknowledges the delivery.
    @inline(__always)
    private func handleUntraced(_ delivery: Delivery, context: MessageContext, handler: MessageHandler) async throws {
        do {
            try await MessageContext.$current.withValue(context) {
                if let ambient = InstrumentationContext.current, !ambient.isEmpty {
                    try await InstrumentationContext.withValue(.topLevel) { try await handler(delivery) }
                } else {
                    try await handler(delivery)
                }
            }
        } catch is DuplicateMessage {
            return
        }
    }
}
