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
        FlowHops(messages: FlowBuilder.deduplicated(spans).compactMap(MessageSpan.init)).hops.map(\.hop)
    }
}

/// One causal hop of a flow as recorded (see ``ClockSkewEstimator/hops(in:)``): its two
/// sources, the two times it compares, and the span it is counted by across rebuilds of the
/// flow (``SharedClockSkewEstimator/HopKey``).
struct RecordedHop {
    var from: String
    var to: String
    /// The later time, as `to`'s clock recorded it.
    var later: UInt64
    /// The earlier time, as `from`'s clock recorded it.
    var earlier: UInt64
    /// The delivery, or the handler's publish (both of whose hops share it).
    var key: SharedClockSkewEstimator.HopKey

    /// The hop as recorded.
    var hop: ClockHop { ClockHop(from: from, to: to, delayNanos: .difference(later, earlier)) }

    /// The hop with both times moved onto the reference clock by `correction`, as the hop
    /// between the corrected spans would be.
    func hop(correctedBy correction: ClockCorrection) -> ClockHop {
        let toOffset = correction.bySource[to]?.offsetNanos ?? 0
        let fromOffset = correction.bySource[from]?.offsetNanos ?? 0
        return ClockHop(from: from, to: to, delayNanos: .difference(later.shifted(back: toOffset), earlier.shifted(back: fromOffset)))
    }
}

/// The causal hops among one flow's messaging spans, found once per build and used both to
/// learn clocks (``SharedClockSkewEstimator/observe(_:)``) and to correct the flow's own
/// (``FlowBuilder/clockCorrection(for:messages:hops:)``).
struct FlowHops {
    /// Deliveries first (in the order of `messages`), then each handler's publish as two hops
    /// (there and back), in the order of `messages`.
    private(set) var hops: [RecordedHop] = []
    /// True when some message was published more than once: which publish is the earliest may
    /// then change once clocks are corrected, so corrected hops must be paired again.
    private(set) var hasRepeatedPublishes = false

    /// No hops.
    init() {}

    /// The hops among `messages` (messaging spans free of repeats, already read).
    init(messages: [MessageSpan]) {
        // Indices into `messages`: a copy of a span would copy its attribute dictionaries.
        var published: [String: Int] = [:]
        var consumers: [Int] = []
        var consumerSpans: [SharedClockSkewEstimator.HopKey: Int] = [:]
        for (index, message) in messages.enumerated() {
            switch message.role {
            case .producer:
                if let earlier = published[message.messageID] {
                    hasRepeatedPublishes = true
                    if !FlowBuilder.isEarlierSpan(message.span, messages[earlier].span) { continue }
                }
                published[message.messageID] = index
            case .consumer:
                consumers.append(index)
                consumerSpans[.init(trace: message.span.traceID, span: message.span.spanID, isHandlerPublish: false)] = index
            }
        }
        for index in consumers {
            let consumer = messages[index].span
            guard let producerIndex = published[messages[index].messageID] else { continue }
            let producer = messages[producerIndex].span
            append(
                from: producer, to: consumer, later: consumer.startTimeUnixNano, earlier: producer.startTimeUnixNano,
                key: .init(trace: consumer.traceID, span: consumer.spanID, isHandlerPublish: false))
        }
        guard !consumerSpans.isEmpty else { return }
        for message in messages where message.role == .producer {
            let span = message.span
            guard let parentID = span.parentSpanID,
                let parentIndex = consumerSpans[.init(trace: span.traceID, span: parentID, isHandlerPublish: false)]
            else { continue }
            let parent = messages[parentIndex].span
            let key = SharedClockSkewEstimator.HopKey(trace: span.traceID, span: span.spanID, isHandlerPublish: true)
            append(from: parent, to: span, later: span.startTimeUnixNano, earlier: parent.startTimeUnixNano, key: key)
            append(from: span, to: parent, later: parent.endTimeUnixNano, earlier: span.startTimeUnixNano, key: key)
        }
    }

    var isEmpty: Bool { hops.isEmpty }

    private mutating func append(
        from earlier: SpanRecord, to later: SpanRecord, later laterTime: UInt64, earlier earlierTime: UInt64, key: SharedClockSkewEstimator.HopKey
    ) {
        let from = ClockSource.of(earlier)
        let to = ClockSource.of(later)
        if from != to { hops.append(RecordedHop(from: from, to: to, later: laterTime, earlier: earlierTime, key: key)) }
    }
}
