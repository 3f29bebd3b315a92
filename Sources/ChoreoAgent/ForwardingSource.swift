/// Where the forwarder takes spans from: the in-memory queue or the disk spool.
protocol ForwardingSource: Sendable {
    /// Spans waiting to be taken.
    var pendingSpans: Int { get }
    /// True when unsent spans outlive the process (the spool): shutdown leaves them, uncounted.
    var isDurable: Bool { get }
    func waitForSpans() async
    func wakeUp()
    /// The next batch in order: whole received requests, at most `maxSpans` spans and
    /// `maxBytes` serialized bytes in all (at least one request, whatever its size).
    func next(maxSpans: Int, maxBytes: Int) -> OutgoingBatch?
    /// The next hop accepted (or refused for good) `batch` and every batch taken before it:
    /// they are never sent again.
    func acknowledge(_ batch: OutgoingBatch)
    /// Stops: the spans still waiting that will be lost (0 for the spool, which keeps them).
    func abandon() -> Int
}

extension SpanQueue: ForwardingSource {
    var pendingSpans: Int { depth }
    var isDurable: Bool { false }

    func next(maxSpans: Int, maxBytes: Int) -> OutgoingBatch? {
        let chunks = take(maxSpans: maxSpans, maxBytes: maxBytes)
        guard !chunks.isEmpty else { return nil }
        var payload: [UInt8] = []
        payload.reserveCapacity(chunks.reduce(0) { $0 + $1.serialized.count })
        var parts: [OutgoingBatch.Part] = []
        for chunk in chunks {
            payload += chunk.serialized
            parts.append(OutgoingBatch.Part(payloadEnd: payload.count, spanCount: chunk.spanCount, cursor: nil))
        }
        return OutgoingBatch(payload: payload, parts: parts)
    }

    func acknowledge(_ batch: OutgoingBatch) {}

    func abandon() -> Int {
        take(maxSpans: .max).reduce(0) { $0 + $1.spanCount }
    }
}

extension Spool: ForwardingSource {
    var isDurable: Bool { true }

    func next(maxSpans: Int, maxBytes: Int) -> OutgoingBatch? {
        nextBatch(maxSpans: maxSpans, maxBytes: maxBytes).map { batch in
            let parts = batch.records.map { OutgoingBatch.Part(payloadEnd: $0.payloadEnd, spanCount: $0.spanCount, cursor: $0.end) }
            return OutgoingBatch(payload: batch.payload, parts: parts)
        }
    }

    func acknowledge(_ batch: OutgoingBatch) {
        if let cursor = batch.cursor { commit(through: cursor) }
    }

    func abandon() -> Int { 0 }
}
