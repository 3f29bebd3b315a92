import ChoreoModel

extension MessageSpan {
    /// A span's place in the span graph.
    private struct Node: Hashable {
        var trace: TraceID
        var span: SpanID
    }

    /// Reads a flow's messaging spans, letting the span graph speak where attributes are silent.
    ///
    /// Many OpenTelemetry instrumentations (Kafka in Java, kafka-python, kafkajs, RabbitMQ in Java)
    /// name no message: a publish without a message id is then known by its span (trace id and
    /// span id, ``graphMessageID(trace:span:)``), and a delivery without one belongs to the
    /// publish its link, else its parent, points at. A publish without `choreo.causation_id` was
    /// caused by message M when its parent (or an ancestor among `spans`), or a link, is a
    /// delivery of M. Spans that name their message and cause are read as they are: this costs
    /// nothing for them.
    static func read(_ spans: [SpanRecord], typeAttribute: String?) -> [MessageSpan] {
        read(spans, of: nil, typeAttribute: typeAttribute).messages
    }

    /// ``read(_:typeAttribute:)`` of the spans that belong to the flow `correlationID`
    /// (``MessagingConventions/correlationID(of:)``; all of them when nil), and those spans
    /// (`spans` itself, no copy, when all belong). Each span's attributes are read in one walk
    /// (``MessagingAttributes``) for its flow and its message alike.
    static func read(
        _ spans: [SpanRecord], of correlationID: String?, typeAttribute: String?
    ) -> (spans: [SpanRecord], messages: [MessageSpan]) {
        var read: [MessageSpan] = []
        read.reserveCapacity(spans.count)
        var unnamed: [SpanRecord] = []
        // The spans that belong, made only once one does not.
        var belonging: [SpanRecord]?
        for (index, span) in spans.enumerated() {
            let reading = MessagingAttributes(span.attributes)
            if let correlationID, reading.correlationID(kind: span.kind, traceID: span.traceID) != correlationID {
                if belonging == nil { belonging = Array(spans[..<index]) }
                continue
            }
            belonging?.append(span)
            if let message = MessageSpan(span, reading: reading, typeAttribute: typeAttribute) {
                read.append(message)
            } else if reading.messageID == nil, let role = reading.role(kind: span.kind), role != .settle {
                unnamed.append(span)
            }
        }
        let spans = belonging ?? spans
        if !unnamed.isEmpty { nameByGraph(unnamed, into: &read, typeAttribute: typeAttribute) }
        if read.contains(where: { $0.role == .producer && $0.causationID == nil && ($0.span.parentSpanID != nil || !$0.span.links.isEmpty) }) {
            causesByGraph(&read, spans: spans)
        }
        return (spans, read)
    }

    /// The message id of a publish that names none: its trace id and span id.
    static func graphMessageID(trace: TraceID, span: SpanID) -> String {
        trace.hex + "-" + span.hex
    }

    private static func nameByGraph(_ unnamed: [SpanRecord], into read: inout [MessageSpan], typeAttribute: String?) {
        var published: [Node: String] = [:]
        for message in read where message.role == .producer {
            published[Node(trace: message.span.traceID, span: message.span.spanID)] = message.messageID
        }
        var consumers: [SpanRecord] = []
        for span in unnamed {
            if MessagingConventions.role(span.attributes, kind: span.kind) == .publish {
                let id = graphMessageID(trace: span.traceID, span: span.spanID)
                published[Node(trace: span.traceID, span: span.spanID)] = id
                if let message = MessageSpan(span, typeAttribute: typeAttribute, messageID: id) { read.append(message) }
            } else {
                consumers.append(span)
            }
        }
        for span in consumers {
            var candidates = span.links.map { Node(trace: $0.traceID, span: $0.spanID) }
            if let parent = span.parentSpanID { candidates.append(Node(trace: span.traceID, span: parent)) }
            // A known publish first; else the first link or the parent (whose publish was not seen).
            guard let target = candidates.first(where: { published[$0] != nil }) ?? candidates.first else { continue }
            let id = published[target] ?? graphMessageID(trace: target.trace, span: target.span)
            if let message = MessageSpan(span, typeAttribute: typeAttribute, messageID: id) { read.append(message) }
        }
    }

    private static func causesByGraph(_ read: inout [MessageSpan], spans: [SpanRecord]) {
        var delivered: [Node: String] = [:]
        for message in read where message.role == .consumer {
            delivered[Node(trace: message.span.traceID, span: message.span.spanID)] = message.messageID
        }
        guard !delivered.isEmpty else { return }
        var parents: [Node: SpanID] = [:]
        for span in spans {
            if let parent = span.parentSpanID { parents[Node(trace: span.traceID, span: span.spanID)] = parent }
        }
        for index in read.indices where read[index].role == .producer && read[index].causationID == nil {
            let span = read[index].span
            var cause: String?
            // The parent, then its ancestors among the flow's spans (a handler's own spans).
            var node = span.parentSpanID.map { Node(trace: span.traceID, span: $0) }
            var depth = 0
            while let current = node, cause == nil, depth < 64 {
                cause = delivered[current]
                node = parents[current].map { Node(trace: current.trace, span: $0) }
                depth += 1
            }
            if cause == nil {
                cause = span.links.lazy.compactMap { delivered[Node(trace: $0.traceID, span: $0.spanID)] }.first
            }
            if let cause, cause != read[index].messageID { read[index].graphCausationID = cause }
        }
    }
}
