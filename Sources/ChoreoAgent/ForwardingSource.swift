import ChoreoOTLP

/// One request's worth of spans taken from a ``ForwardingSource``.
struct OutgoingBatch: Sendable {
    /// A serialized (uncompressed) ExportTraceServiceRequest; nil when the spans could not be encoded.
    var payload: [UInt8]?
    var spanCount: Int
    /// For the spool: where the cursor goes once the batch is accepted.
    var spoolBatch: SpoolBatch?
}

/// Where the forwarder takes spans from: the in-memory queue or the disk spool.
protocol ForwardingSource: Sendable {
    /// Spans waiting to be taken.
    var pendingSpans: Int { get }
    /// True when unsent spans outlive the process (the spool): shutdown leaves them, uncounted.
    var isDurable: Bool { get }
    func waitForSpans() async
    func wakeUp()
    /// The next batch in order, at most `maxSpans` spans (at least one chunk or record).
    func next(maxSpans: Int) -> OutgoingBatch?
    /// The next hop accepted (or refused for good) `batch`: it is never sent again.
    func acknowledge(_ batch: OutgoingBatch)
    /// Stops: the spans still waiting that will be lost (0 for the spool, which keeps them).
    func abandon() -> Int
}

extension SpanQueue: ForwardingSource {
    var pendingSpans: Int { depth }
    var isDurable: Bool { false }

    func next(maxSpans: Int) -> OutgoingBatch? {
        let chunks = take(maxSpans: maxSpans)
        guard !chunks.isEmpty else { return nil }
        // Serialized requests concatenate into one request (protobuf appends repeated fields).
        var payload: [UInt8]? = []
        for chunk in chunks {
            if let serialized = chunk.serialized {
                payload? += serialized
            } else {
                var request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest()
                request.resourceSpans = chunk.resourceSpans
                if let bytes = try? request.serializedBytes() as [UInt8] { payload? += bytes } else { payload = nil }
            }
        }
        return OutgoingBatch(payload: payload, spanCount: chunks.reduce(0) { $0 + $1.spanCount })
    }

    func acknowledge(_ batch: OutgoingBatch) {}

    func abandon() -> Int {
        take(maxSpans: .max).reduce(0) { $0 + $1.spanCount }
    }
}

extension Spool: ForwardingSource {
    var isDurable: Bool { true }

    func next(maxSpans: Int) -> OutgoingBatch? {
        nextBatch(maxSpans: maxSpans).map { OutgoingBatch(payload: $0.payload, spanCount: $0.spanCount, spoolBatch: $0) }
    }

    func acknowledge(_ batch: OutgoingBatch) {
        if let spoolBatch = batch.spoolBatch { commit(spoolBatch) }
    }

    func abandon() -> Int { 0 }
}
