import ChoreoModel

extension FlowBuilder {
    /// ``build(correlationID:spans:now:)``, feeding `estimator` the flow's causal hops as
    /// recorded (``SharedClockSkewEstimator/observe(messages:)``): each hop once, however often
    /// the flow is rebuilt. The flow is built with this builder's options, as without it.
    public func build(correlationID: String, spans: [SpanRecord], now: UInt64, learningClocksInto estimator: SharedClockSkewEstimator) -> Flow? {
        build(correlationID: correlationID, spans: spans, now: now, reading: estimator.observe(messages:))
    }
}

extension SharedClockSkewEstimator {
    /// Identifies one hop across rebuilds of its flow: the delivery (CONSUMER span) that starts
    /// after its message's publish, or the publish (PRODUCER span) made within its parent delivery.
    struct HopKey: Hashable {
        var trace: TraceID
        var span: SpanID
        var isHandlerPublish: Bool
    }

    /// The hops already fed, bounded: the latest ``capacity`` keys (a ring), so a flow rebuilt
    /// many times counts each hop once while memory stays fixed. A key pushed out and seen again
    /// counts twice: one more copy of a delay already in its pair's window.
    struct SeenHops {
        let capacity: Int
        private var keys: Set<HopKey> = []
        private var ring: [HopKey] = []
        private var next = 0

        init(capacity: Int) { self.capacity = max(0, capacity) }

        func contains(_ key: HopKey) -> Bool { keys.contains(key) }

        mutating func insert(_ key: HopKey) {
            guard capacity > 0, keys.insert(key).inserted else { return }
            if ring.count < capacity {
                ring.append(key)
            } else {
                keys.remove(ring[next])
                ring[next] = key
                next = (next + 1) % capacity
            }
        }

        var count: Int { keys.count }
    }

    /// Feeds the hops among one flow's messaging spans (as recorded) that were not fed before:
    /// a delivery whose publish is known, and a publish whose parent delivery (of another clock)
    /// is known. A hop whose other end has not arrived yet is left for a later rebuild.
    ///
    /// A rebuild that brings nothing new costs one set lookup per delivery and per publish with a
    /// parent; the maps that pair spans are built only when some hop is new.
    func observe(messages: [MessageSpan]) {
        state.withLock { state in
            var newDeliveries = false
            var newPublishes = false
            for message in messages {
                let span = message.span
                switch message.role {
                case .consumer:
                    if !newDeliveries { newDeliveries = !state.seen.contains(HopKey(trace: span.traceID, span: span.spanID, isHandlerPublish: false)) }
                case .producer:
                    if !newPublishes, span.parentSpanID != nil {
                        newPublishes = !state.seen.contains(HopKey(trace: span.traceID, span: span.spanID, isHandlerPublish: true))
                    }
                }
                if newDeliveries && newPublishes { break }
            }
            if newDeliveries { Self.feedDeliveries(messages, into: &state) }
            if newPublishes { Self.feedHandlerPublishes(messages, into: &state) }
        }
    }

    /// Every new delivery whose message's earliest publish is among `messages`.
    private static func feedDeliveries(_ messages: [MessageSpan], into state: inout State) {
        var published: [String: Int] = [:]  // indices: a copy of a span copies its attributes
        for (index, message) in messages.enumerated() where message.role == .producer {
            if let earlier = published[message.messageID], !FlowBuilder.isEarlierSpan(message.span, messages[earlier].span) { continue }
            published[message.messageID] = index
        }
        guard !published.isEmpty else { return }
        for message in messages where message.role == .consumer {
            let span = message.span
            let key = HopKey(trace: span.traceID, span: span.spanID, isHandlerPublish: false)
            guard !state.seen.contains(key), let producerIndex = published[message.messageID] else { continue }
            let producer = messages[producerIndex].span
            state.seen.insert(key)
            let (from, to) = (ClockSource.of(producer), ClockSource.of(span))
            guard from != to else { continue }
            state.estimator.observe(ClockHop(from: from, to: to, delayNanos: .difference(span.startTimeUnixNano, producer.startTimeUnixNano)))
        }
    }

    /// Every new publish whose parent delivery is among `messages`: two hops, one each way.
    private static func feedHandlerPublishes(_ messages: [MessageSpan], into state: inout State) {
        var deliveries: [HopKey: Int] = [:]  // indices: a copy of a span copies its attributes
        for (index, message) in messages.enumerated() where message.role == .consumer {
            deliveries[HopKey(trace: message.span.traceID, span: message.span.spanID, isHandlerPublish: false)] = index
        }
        guard !deliveries.isEmpty else { return }
        for message in messages where message.role == .producer {
            let span = message.span
            guard let parentID = span.parentSpanID else { continue }
            let key = HopKey(trace: span.traceID, span: span.spanID, isHandlerPublish: true)
            guard !state.seen.contains(key), let parentIndex = deliveries[HopKey(trace: span.traceID, span: parentID, isHandlerPublish: false)] else {
                continue
            }
            let parent = messages[parentIndex].span
            state.seen.insert(key)
            let (handler, publisher) = (ClockSource.of(parent), ClockSource.of(span))
            guard handler != publisher else { continue }
            state.estimator.observe(ClockHop(from: handler, to: publisher, delayNanos: .difference(span.startTimeUnixNano, parent.startTimeUnixNano)))
            state.estimator.observe(ClockHop(from: publisher, to: handler, delayNanos: .difference(parent.endTimeUnixNano, span.startTimeUnixNano)))
        }
    }
}
