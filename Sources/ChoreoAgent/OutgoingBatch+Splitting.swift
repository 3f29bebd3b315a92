import ChoreoOTLP

extension OutgoingBatch {
    /// The batch as two smaller batches that hold its spans in the same order: its parts in two
    /// halves, or, for a batch of one part, that request split by resources, then scopes, then
    /// spans (each piece keeps its resource and scope). Nil when it holds one span, or its one
    /// part cannot be decoded.
    ///
    /// A spool record split in pieces moves the cursor only with its last piece.
    func halves() -> (OutgoingBatch, OutgoingBatch)? {
        if parts.count > 1 { return splitParts(at: parts.count / 2) }
        guard let request = try? OTLPProtobuf.decodeRequestMessage(payload),
            let (first, second) = request.halves(),
            let firstBytes = try? first.serializedBytes() as [UInt8],
            let secondBytes = try? second.serializedBytes() as [UInt8]
        else { return nil }
        return (
            OutgoingBatch(serialized: firstBytes, spanCount: first.spanCount, cursor: nil),
            OutgoingBatch(serialized: secondBytes, spanCount: second.spanCount, cursor: parts[0].cursor)
        )
    }

    /// Parts `..<mid` and `mid...`, each with its share of the payload.
    private func splitParts(at mid: Int) -> (OutgoingBatch, OutgoingBatch) {
        let cut = parts[mid - 1].payloadEnd
        let rest = parts[mid...].map { part in
            var part = part
            part.payloadEnd -= cut
            return part
        }
        return (
            OutgoingBatch(payload: Array(payload[..<cut]), parts: Array(parts[..<mid])),
            OutgoingBatch(payload: Array(payload[cut...]), parts: rest)
        )
    }
}

extension OTLPExportRequest {
    /// The request as two requests holding its spans in order: its resources in two halves;
    /// with one resource, its scopes in two halves; with one scope, its spans in two halves.
    /// Nil when there is nothing to split (at most one span).
    func halves() -> (Self, Self)? {
        if resourceSpans.count > 1 {
            let mid = resourceSpans.count / 2
            return (with(Array(resourceSpans[..<mid])), with(Array(resourceSpans[mid...])))
        }
        guard let resource = resourceSpans.first else { return nil }
        if resource.scopeSpans.count > 1 {
            let mid = resource.scopeSpans.count / 2
            var first = resource
            var second = resource
            first.scopeSpans = Array(resource.scopeSpans[..<mid])
            second.scopeSpans = Array(resource.scopeSpans[mid...])
            return (with([first]), with([second]))
        }
        guard let scope = resource.scopeSpans.first, scope.spans.count > 1 else { return nil }
        let mid = scope.spans.count / 2
        var firstScope = scope
        var secondScope = scope
        firstScope.spans = Array(scope.spans[..<mid])
        secondScope.spans = Array(scope.spans[mid...])
        var first = resource
        var second = resource
        first.scopeSpans = [firstScope]
        second.scopeSpans = [secondScope]
        return (with([first]), with([second]))
    }

    /// This request with `resources` instead of its resource spans.
    private func with(_ resources: [Opentelemetry_Proto_Trace_V1_ResourceSpans]) -> Self {
        var request = self
        request.resourceSpans = resources
        return request
    }
}
