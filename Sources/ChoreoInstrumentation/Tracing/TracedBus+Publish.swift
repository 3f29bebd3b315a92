import ChoreoModel
import Tracing

extension TracedBus {
    /// Publishes a message in a PRODUCER span `send {topic}`.
    ///
    /// Fills the headers the message lacks: `id` (a new ``MessageID``), `source` (``service``),
    /// `correlationid` (the handled message's flow inside a handler, else the message's own id)
    /// and, inside a handler, `causationid` (the handled message's id). Then injects the span's
    /// context (`traceparent`, `tracestate`, `baggage`, as the instrument decides), replacing
    /// any trace context the headers carried.
    public func publish(_ message: Message) async throws {
        var message = message
        let metadata = fillHeaders(of: &message, handling: MessageContext.current)
        let span = InstrumentationSystem.tracer.startSpan(
            "send \(message.topic)", context: InstrumentationContext.current ?? .topLevel, ofKind: .producer
        )
        span.updateAttributes { attributes in
            setCommonAttributes(&attributes, topic: message.topic, metadata: metadata)
            attributes[MessagingKey.operationType] = MessagingOperation.send
            attributes[MessagingKey.operationName] = "publish"
            attributes[MessagingKey.bodySize] = message.body.count
        }
        message.headers[MessageHeader.traceparent] = nil
        message.headers[MessageHeader.tracestate] = nil
        InstrumentationSystem.instrument.inject(span.context, into: &message.headers, using: HeaderInjector())
        do {
            try await InstrumentationContext.withValue(span.context) {
                try await bus.publish(message)
            }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            span.attributes[MessagingKey.errorType] = String(describing: type(of: error))
            span.end()
            throw error
        }
        span.end()
    }

    /// Publishes a message of `type` to `topic` and returns its id.
    ///
    /// Sets `type`, `source` (= ``service``) and, unless `headers` has one, a new `id`. The
    /// correlation id is `correlationID` if given, else the handled message's (inside a handler),
    /// else the new message's own id (it starts a flow). `compensating` marks this message as
    /// undoing the earlier message with that id (`compensates` header, `choreo.compensates`).
    @discardableResult
    public func publish(
        type: String, to topic: String, body: [UInt8] = [], headers: [String: String] = [:],
        correlationID: String? = nil, compensating: String? = nil
    ) async throws -> String {
        var headers = headers
        let id = headers[MessageHeader.id].flatMap { $0.isEmpty ? nil : $0 } ?? MessageID.next()
        headers[MessageHeader.id] = id
        headers[MessageHeader.type] = type
        headers[MessageHeader.source] = service
        if let correlationID { headers[MessageHeader.correlationID] = correlationID }
        if let compensating { headers[MessageHeader.compensates] = compensating }
        try await publish(Message(topic: topic, headers: headers, body: body))
        return id
    }

    /// Completes the CloudEvents headers of an outgoing message and returns its metadata.
    func fillHeaders(of message: inout Message, handling current: MessageContext?) -> MessageMetadata {
        var metadata = MessageMetadata(headers: message.headers)
        if metadata.id == nil {
            metadata.id = MessageID.next()
            message.headers[MessageHeader.id] = metadata.id
        }
        if metadata.source == nil {
            metadata.source = service
            message.headers[MessageHeader.source] = service
        }
        if metadata.correlationID == nil {
            metadata.correlationID = current?.correlationID ?? metadata.id
        }
        message.headers[MessageHeader.correlationID] = metadata.correlationID
        if metadata.causationID == nil, let cause = current?.messageID {
            metadata.causationID = cause
        }
        if let causation = metadata.causationID { message.headers[MessageHeader.causationID] = causation }
        return metadata
    }

    /// Attributes shared by producer and consumer spans.
    func setCommonAttributes(_ attributes: inout SpanAttributes, topic: String, metadata: MessageMetadata) {
        attributes[MessagingKey.system] = system
        attributes[MessagingKey.destinationName] = topic
        attributes[MessagingKey.serviceName] = service
        attributes[MessagingKey.messageID] = metadata.id
        attributes[MessagingKey.conversationID] = metadata.correlationID
        attributes[ChoreoKey.eventType] = metadata.type
        attributes[ChoreoKey.causationID] = metadata.causationID
        attributes[ChoreoKey.compensates] = metadata.compensates
        attributes[ChoreoKey.source] = metadata.source
    }
}
