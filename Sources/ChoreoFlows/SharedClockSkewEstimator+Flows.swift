import ChoreoModel

extension FlowBuilder {
    /// ``build(correlationID:spans:now:)``, feeding `estimator` the flow's causal hops as
    /// recorded (``SharedClockSkewEstimator/observe(_:)``): each hop once, however often the
    /// flow is rebuilt. The flow is built with this builder's options, as without it.
    public func build(correlationID: String, spans: [SpanRecord], now: UInt64, learningClocksInto estimator: SharedClockSkewEstimator) -> Flow? {
        build(correlationID: correlationID, spans: spans, now: now, learning: estimator)
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

    /// Feeds the hops of one flow (as recorded) that were not fed before: a delivery whose
    /// publish is known, and a publish whose parent delivery (of another clock) is known. A hop
    /// whose other end has not arrived yet is not among them and is left for a later rebuild.
    /// A rebuild that brings nothing new costs one set lookup per hop.
    func observe(_ hops: FlowHops) {
        guard !hops.isEmpty else { return }
        state.withLock { state in
            // A handler's publish gives two hops in a row under one key: both count, or neither.
            var previous: (key: HopKey, new: Bool)?
            for hop in hops.hops {
                let new: Bool
                if let previous, previous.key == hop.key {
                    new = previous.new
                } else {
                    new = !state.seen.contains(hop.key)
                    if new { state.seen.insert(hop.key) }
                }
                previous = (hop.key, new)
                if new { state.estimator.observe(hop.hop) }
            }
        }
    }
}
