/// One forwarded request's worth of spans taken from a ``ForwardingSource``: whole received
/// requests (parts), in order, serialized back to back.
///
/// Serialized requests concatenate into one request (protobuf appends repeated fields), so the
/// payload is itself a serialized ExportTraceServiceRequest, and any run of consecutive parts is
/// a smaller one.
struct OutgoingBatch: Sendable {
    /// One received request (a queued chunk or a spool record), or a piece of one.
    struct Part: Sendable {
        /// Where the part's bytes end in ``OutgoingBatch/payload``.
        var payloadEnd: Int
        var spanCount: Int
        /// For the spool: where its cursor may move once this part and every part before it
        /// were accepted. Nil for the memory queue, and for every piece of a split spool record
        /// but the last (the record is resent whole after a crash until all its pieces passed).
        var cursor: SpoolPosition?
    }

    /// The parts' serialized requests, concatenated (uncompressed).
    var payload: [UInt8]
    /// The parts in order; never empty.
    var parts: [Part]

    /// A batch of one serialized request.
    init(serialized: [UInt8], spanCount: Int, cursor: SpoolPosition?) {
        payload = serialized
        parts = [Part(payloadEnd: serialized.count, spanCount: spanCount, cursor: cursor)]
    }

    init(payload: [UInt8], parts: [Part]) {
        self.payload = payload
        self.parts = parts
    }

    /// Spans in the batch.
    var spanCount: Int { parts.reduce(0) { $0 + $1.spanCount } }

    /// Where the spool's cursor may move once the whole batch was accepted (the last part
    /// that has a cursor); nil for the memory queue.
    var cursor: SpoolPosition? { parts.last { $0.cursor != nil }?.cursor }
}
