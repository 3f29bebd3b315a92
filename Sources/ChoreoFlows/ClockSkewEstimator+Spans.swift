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
        var published: [String: SpanRecord] = [:]
        var consumers: [(messageID: String, span: SpanRecord)] = []
        var consumerSpans: [Key: SpanRecord] = [:]
        for message in messages {
            let span = message.span
            switch message.role {
            case .producer:
                if let earlier = published[message.messageID], !FlowBuilder.isEarlierSpan(span, earlier) { continue }
                published[message.messageID] = span
            case .consumer:
                consumers.append((message.messageID, span))
                consumerSpans[Key(trace: span.traceID, span: span.spanID)] = span
            }
        }
        var hops: [ClockHop] = []
        for consumer in consumers {
            guard let producer = published[consumer.messageID] else { continue }
            append(&hops, from: producer, to: consumer.span, delay: .difference(consumer.span.startTimeUnixNano, producer.startTimeUnixNano))
        }
        for message in messages where message.role == .producer {
            let span = message.span
            guard let parentID = span.parentSpanID, let parent = consumerSpans[Key(trace: span.traceID, span: parentID)] else { continue }
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
