import ChoreoModel

extension ClockSkewEstimator {
    /// The causal hops among `spans` (repeats of a trace and span id counted once):
    ///
    /// - every delivery attempt (CONSUMER span) of a message starts after the message's earliest
    ///   publish (PRODUCER span with the same `messaging.message.id`): a hop from the
    ///   publisher's source to the consumer's;
    /// - a publish (PRODUCER span) whose parent is a delivery (CONSUMER span) of another source
    ///   (a handler's publish recorded elsewhere) starts within it: a hop from the parent's start
    ///   to the child's start, and one from the child's start to the parent's end.
    ///
    /// Hops within one source are left out: they say nothing about clocks.
    public static func hops(in spans: [SpanRecord]) -> [ClockHop] {
        hops(messages: FlowBuilder.deduplicated(spans).compactMap(MessageSpan.init))
    }

    /// ``hops(in:)`` of the messaging spans of spans free of repeats, already read.
    static func hops(messages: [MessageSpan]) -> [ClockHop] {
        struct Key: Hashable {
            var trace: TraceID
            var span: SpanID
        }
        // Indices into `messages`: a copy of a span would copy its attribute dictionaries.
        var published: [String: Int] = [:]
        var consumers: [Int] = []
        var consumerSpans: [Key: Int] = [:]
        for (index, message) in messages.enumerated() {
            switch message.role {
            case .producer:
                if let earlier = published[message.messageID], !FlowBuilder.isEarlierSpan(message.span, messages[earlier].span) { continue }
                published[message.messageID] = index
            case .consumer:
                consumers.append(index)
                consumerSpans[Key(trace: message.span.traceID, span: message.span.spanID)] = index
            }
        }
        var hops: [ClockHop] = []
        for index in consumers {
            let consumer = messages[index]
            guard let producerIndex = published[consumer.messageID] else { continue }
            let producer = messages[producerIndex].span
            append(&hops, from: producer, to: consumer.span, delay: .difference(consumer.span.startTimeUnixNano, producer.startTimeUnixNano))
        }
        guard !consumerSpans.isEmpty else { return hops }
        for message in messages where message.role == .producer {
            let span = message.span
            guard let parentID = span.parentSpanID, let parentIndex = consumerSpans[Key(trace: span.traceID, span: parentID)] else { continue }
            let parent = messages[parentIndex].span
            append(&hops, from: parent, to: span, delay: .difference(span.startTimeUnixNano, parent.startTimeUnixNano))
            append(&hops, from: span, to: parent, delay: .difference(parent.endTimeUnixNano, span.startTimeUnixNano))
        }
        return hops
    }

    private static func append(_ hops: inout [ClockHop], from earlier: SpanRecord, to later: SpanRecord, delay: Int64) {
        let from = ClockSource.of(earlier)
        let to = ClockSource.of(later)
        if from != to { hops.append(ClockHop(from: from, to: to, delayNanos: delay)) }
    }
}
