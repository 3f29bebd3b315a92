import ChoreoModel
import ChoreoStore

extension Jaeger.Trace {
    /// The spans of one trace in Jaeger's model, as Jaeger's OTLP translator maps them: the
    /// parent as a `CHILD_OF` reference and each link as `FOLLOWS_FROM`; the span kind as tag
    /// `span.kind`, the status as `otel.status_code` (and `error` = true,
    /// `otel.status_description` on an error); events as logs (the name as field `event`);
    /// each distinct resource (service and attributes) as one process, `p1`, `p2`... in order
    /// of first appearance.
    public init(traceID: TraceID, spans: [SpanRecord]) {
        self.traceID = traceID.hex
        var processes: [String: Jaeger.Process] = [:]
        var processIDs: [Jaeger.Process: String] = [:]
        self.spans = spans.map { record in
            let process = Jaeger.Process(
                serviceName: record.serviceName,
                tags: record.resourceAttributes.sorted { $0.key < $1.key }.map { Jaeger.KeyValue(key: $0.key, attribute: $0.value) }
            )
            let processID: String
            if let known = processIDs[process] {
                processID = known
            } else {
                processID = "p\(processIDs.count + 1)"
                processIDs[process] = processID
                processes[processID] = process
            }
            return Jaeger.Span(record, processID: processID)
        }
        self.processes = processes
    }
}

extension Jaeger.Span {
    /// One span in Jaeger's model, pointing at process `processID`.
    public init(_ record: SpanRecord, processID: String) {
        traceID = record.traceID.hex
        spanID = record.spanID.hex
        flags = 1  // sampled: the collector holds it
        operationName = record.name
        var references: [Jaeger.Reference] = []
        if let parent = record.parentSpanID, parent.isValid {
            references.append(.init(refType: .childOf, traceID: record.traceID.hex, spanID: parent.hex))
        }
        for link in record.links {
            references.append(.init(refType: .followsFrom, traceID: link.traceID.hex, spanID: link.spanID.hex))
        }
        self.references = references
        startTime = record.startTimeUnixNano / 1_000
        duration = record.endTimeUnixNano > record.startTimeUnixNano ? (record.endTimeUnixNano - record.startTimeUnixNano) / 1_000 : 0
        tags = Self.tags(record)
        logs = record.events.sorted { $0.timeUnixNano < $1.timeUnixNano }.map { event in
            var fields: [Jaeger.KeyValue] = event.name.isEmpty ? [] : [.init(key: "event", value: .string(event.name))]
            fields += event.attributes.sorted { $0.key < $1.key }.map { Jaeger.KeyValue(key: $0.key, attribute: $0.value) }
            return Jaeger.Log(timestamp: event.timeUnixNano / 1_000, fields: fields)
        }
        self.processID = processID
    }

    /// The span's attributes (by key), then what the translator adds, unless an attribute of
    /// the same key is there: the scope, the kind, the status, the trace state.
    static func tags(_ record: SpanRecord) -> [Jaeger.KeyValue] {
        var tags = record.attributes.sorted { $0.key < $1.key }.map { Jaeger.KeyValue(key: $0.key, attribute: $0.value) }
        func add(_ key: String, _ value: Jaeger.KeyValue.Value?) {
            guard let value, record.attributes[key] == nil else { return }
            tags.append(Jaeger.KeyValue(key: key, value: value))
        }
        add("otel.scope.name", record.scopeName.map { .string($0) })
        add("span.kind", SpanTags.kind(record.kind).map { .string($0) })
        add("otel.status_code", SpanTags.statusCode(record.statusCode).map { .string($0) })
        add("error", record.statusCode == .error ? .bool(true) : nil)
        add("otel.status_description", record.statusMessage.flatMap { $0.isEmpty ? nil : .string($0) })
        add("w3c.tracestate", record.traceState.flatMap { $0.isEmpty ? nil : .string($0) })
        return tags
    }
}
