import ChoreoModel

/// Writes the spans a traced bus would record for one flow, in either trace mode.
///
/// Times are milliseconds from a fixed base (so RFC 3339 round trips are exact).
struct SpanScript {
    enum TraceMode: String, Sendable, CaseIterable {
        /// Every consumer span is a child of its producer: the flow is one trace.
        case single
        /// Every delivery starts a new trace that only links to the producer.
        case perStep
    }

    static let base: UInt64 = 1_700_000_000_000_000_000

    static func nanos(_ ms: UInt64) -> UInt64 { base + ms * 1_000_000 }

    let correlationID: String
    let mode: TraceMode
    private(set) var spans: [SpanRecord] = []
    private var producers: [String: SpanRecord] = [:]
    private var lastConsumer: [String: SpanRecord] = [:]
    private var spanCounter: UInt64 = 0
    private var traceCounter: UInt64 = 0

    init(_ correlationID: String = "order-1", mode: TraceMode = .single) {
        self.correlationID = correlationID
        self.mode = mode
    }

    /// Span ids are numbered alike in both trace modes, so flows can be compared across modes.
    private mutating func nextSpanID() -> SpanID {
        spanCounter += 1
        return SpanID(spanCounter)
    }

    private mutating func nextTraceID(_ high: UInt64) -> TraceID {
        traceCounter += 1
        return TraceID(high: high, low: traceCounter)
    }

    /// Records the publish of message `id`, within the handling of `causedBy` when given.
    mutating func publish(
        _ id: String, _ type: String, by service: String, causedBy: String? = nil,
        compensates: String? = nil, at ms: UInt64
    ) {
        let context = causedBy.flatMap { lastConsumer[$0] }
        let traceID = context?.traceID ?? spans.first?.traceID ?? nextTraceID(0xA)
        var attributes = messageAttributes(id: id, type: type, source: service, causedBy: causedBy, compensates: compensates)
        attributes[MessagingKey.operationType] = .string(MessagingOperation.send)
        let span = SpanRecord(
            traceID: traceID, spanID: nextSpanID(), parentSpanID: context?.spanID,
            name: "send \(type.lowercased())", kind: .producer,
            startTimeUnixNano: Self.nanos(ms), endTimeUnixNano: Self.nanos(ms + 1),
            attributes: attributes, serviceName: service
        )
        producers[id] = span
        spans.append(span)
    }

    /// Records one delivery attempt of message `id` to consumer group `group`.
    mutating func deliver(
        _ id: String, to group: String, attempt: Int = 1, outcome: DeliveryOutcome = .handled,
        error: String? = nil, at ms: UInt64, durationMs: UInt64 = 1
    ) {
        guard let producer = producers[id] else { preconditionFailure("publish \(id) first") }
        let traceID = mode == .single ? producer.traceID : nextTraceID(0xB)
        var attributes = producer.attributes
        attributes[MessagingKey.operationType] = .string(MessagingOperation.process)
        attributes[MessagingKey.consumerGroup] = .string(group)
        attributes[ChoreoKey.deliveryAttempt] = .int(Int64(attempt))
        attributes[ChoreoKey.deliveryOutcome] = .string(outcome.rawValue)
        if error != nil { attributes[MessagingKey.errorType] = .string("HandlerError") }
        let span = SpanRecord(
            traceID: traceID, spanID: nextSpanID(),
            parentSpanID: mode == .single ? producer.spanID : nil,
            name: "process \(producer.string(ChoreoKey.eventType)!.lowercased())", kind: .consumer,
            startTimeUnixNano: Self.nanos(ms), endTimeUnixNano: Self.nanos(ms + durationMs),
            attributes: attributes,
            links: [SpanLink(traceID: producer.traceID, spanID: producer.spanID)],
            statusCode: error == nil ? .unset : .error, statusMessage: error, serviceName: group
        )
        lastConsumer[id] = span
        spans.append(span)
    }

    /// Drops every span matching `predicate` (to simulate spans that never arrived).
    mutating func drop(where predicate: (SpanRecord) -> Bool) {
        spans.removeAll(where: predicate)
    }

    private func messageAttributes(
        id: String, type: String, source: String, causedBy: String?, compensates: String?
    ) -> [String: AttributeValue] {
        var attributes: [String: AttributeValue] = [
            MessagingKey.system: .string("memory"),
            MessagingKey.messageID: .string(id),
            MessagingKey.conversationID: .string(correlationID),
            MessagingKey.destinationName: .string("orders"),
            ChoreoKey.eventType: .string(type),
            ChoreoKey.source: .string(source),
        ]
        if let causedBy { attributes[ChoreoKey.causationID] = .string(causedBy) }
        if let compensates { attributes[ChoreoKey.compensates] = .string(compensates) }
        return attributes
    }
}

extension SpanRecord {
    /// The message id a messaging span carries.
    var messageID: String? { string(MessagingKey.messageID) }
}
