import ChoreoModel
import Tracing

extension TracedBus {
    /// Publishes a message in a PRODUCER span `send {topic}`.
    ///
    /// Fills the headers the message lacks: `id` (a new ``MessageID``), `source` (``service``),
    /// `correlationid` (the handled message's flow inside a handler, else the message's own id)
    /// and, inside a handler, `causationid` (the handled message's id). Then injects the span's
    /// context (`traceparent`, `tracestate`, `baggage`, as the instrument decides), replacing
    /// any trace context the headers carried. With no instrument in effect (nothing bootstrapped
    /// or scoped by `withTracer`, or a `NoOpTracer`), no span is started and no trace context is
    /// injected: the headers are filled and any trace context they carried is still removed.
    public func publish(_ message: Message) async throws {
        var message = message
        let active = ActiveInstrumentation.current
        // Room for the headers filled below (4) and the trace context injected (2, with an
        // instrument), so the dictionary grows (and is copied) at most once: copied here into one
        // made at that size (the standard library's `reserveCapacity` is unspecialized and looks
        // up generic metadata on each call).
        let room = message.headers.count + (active.isActive ? 6 : 4)
        if message.headers.capacity < room {
            var headers = [String: String](minimumCapacity: room)
            for (name, value) in message.headers { headers[name] = value }
            message.headers = headers
        }
        var metadata = MessageMetadata()
        fillHeaders(of: &message, metadata: &metadata)
        if metadata.carriesTraceContext {
            message.headers.removeValue(forKey: MessageHeader.traceparent)
            message.headers.removeValue(forKey: MessageHeader.tracestate)
        }
        guard active.isActive else {
            // Nothing to record or propagate: the headers above are all the work.
            try await bus.publish(message)
            return
        }
        let name = "send \(message.topic)"
        let parent = InstrumentationContext.current ?? .topLevel
        let messagingSpan = active.startPublishSpan(name, parent: parent)
        let span = messagingSpan.span
        // Built as a list (no key hashed) and recorded in one write when the publish is done.
        var attributes: AttributeList?
        if span.isRecording {
            var list = metadata.commonAttributes(system: system, service: service, topic: message.topic)
            list.append(MessagingKey.operationType, .string(MessagingOperation.send))
            list.append(MessagingKey.operationName, .string("publish"))
            list.append(MessagingKey.bodySize, .int(Int64(message.body.count)))
            attributes = list
        }
        let context = span.context
        active.injectContext(of: messagingSpan, into: &message.headers)
        do {
            try await InstrumentationContext.withValue(context) {
                try await bus.publish(message)
            }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            if var attributes {
                attributes.append(MessagingKey.errorType, .string(String(describing: type(of: error))))
                messagingSpan.record(attributes)
            }
            span.end()
            throw error
        }
        if let attributes { messagingSpan.record(attributes) }
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

    /// Completes the CloudEvents headers of an outgoing message and reads its metadata into
    /// `metadata` (an empty value; filled in place, not returned, to spare a copy of the struct).
    /// The handled message's context (`MessageContext.current`) is looked up only when the headers
    /// lack a correlation or causation id; a header already under its own name is not written
    /// again.
    func fillHeaders(of message: inout Message, metadata: inout MessageMetadata) {
        metadata.read(message.headers)
        if metadata.id == nil {
            metadata.id = MessageID.next()
            message.headers[MessageHeader.id] = metadata.id
        }
        if metadata.source == nil {
            metadata.source = service
            message.headers[MessageHeader.source] = service
        }
        let current = metadata.correlationID == nil || metadata.causationID == nil ? MessageContext.current : nil
        if metadata.correlationID == nil {
            metadata.correlationID = current?.correlationID ?? metadata.id
        }
        if !metadata.correlationIDIsCanonical {
            message.headers[MessageHeader.correlationID] = metadata.correlationID
        }
        if metadata.causationID == nil, let cause = current?.messageID {
            metadata.causationID = cause
        }
        if !metadata.causationIDIsCanonical, let causation = metadata.causationID {
            message.headers[MessageHeader.causationID] = causation
        }
    }
}

extension MessageMetadata {
    /// The attributes shared by a message's producer and consumer spans, with room for the ones
    /// each adds.
    func commonAttributes(system: String, service: String, topic: String) -> AttributeList {
        var attributes = AttributeList(minimumCapacity: 15)
        attributes.append(MessagingKey.system, .string(system))
        attributes.append(MessagingKey.destinationName, .string(topic))
        attributes.append(MessagingKey.serviceName, .string(service))
        if let id { attributes.append(MessagingKey.messageID, .string(id)) }
        if let correlationID { attributes.append(MessagingKey.conversationID, .string(correlationID)) }
        if let type { attributes.append(ChoreoKey.eventType, .string(type)) }
        if let causationID { attributes.append(ChoreoKey.causationID, .string(causationID)) }
        if let compensates { attributes.append(ChoreoKey.compensates, .string(compensates)) }
        if let source { attributes.append(ChoreoKey.source, .string(source)) }
        return attributes
    }
}
