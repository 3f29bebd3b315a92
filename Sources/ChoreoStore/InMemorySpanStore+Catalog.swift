import ChoreoModel

extension InMemorySpanStore: ServiceCatalog {
    public func serviceNames() async throws -> [String] {
        Set(allSpans().map(\.serviceName)).sorted()
    }

    public func operations(service: String, kind: SpanKind?) async throws -> [ServiceOperation] {
        Set(allSpans().lazy.filter { $0.serviceName == service && (kind == nil || $0.kind == kind) }.map { ServiceOperation(name: $0.name, kind: $0.kind) })
            .sorted()
    }

    public func traceIDs(_ search: SpanSearch) async throws -> [TraceID] {
        var found: [TraceID] = []
        var seen: Set<TraceID> = []
        let newest = allSpans().enumerated().sorted { ($0.element.startTimeUnixNano, $0.offset) > ($1.element.startTimeUnixNano, $1.offset) }
        for (_, span) in newest.prefix(TraceQuery.scanLimit) where found.count < search.limit && search.matches(span) {
            if seen.insert(span.traceID).inserted { found.append(span.traceID) }
        }
        return found
    }
}
