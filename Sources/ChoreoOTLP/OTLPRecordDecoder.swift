import ChoreoModel
import Foundation

/// Turns an `ExportTraceServiceRequest` into span records, rejecting spans that cannot be valid.
///
/// A span is rejected when its trace id is not 16 bytes or all zero, its span id not 8 bytes
/// or all zero, or its parent span id neither empty nor 8 bytes. The others are kept (OTLP
/// partial success). A link with invalid ids cannot be represented and is left out.
struct OTLPRecordDecoder {
    private(set) var spans: [SpanRecord] = []
    private(set) var rejected = 0
    private var firstReason: String?

    static func decode(_ request: OTLPExportRequest) -> OTLPDecodedRequest {
        var decoder = OTLPRecordDecoder()
        decoder.spans.reserveCapacity(request.spanCount)
        for resourceSpans in request.resourceSpans { decoder.add(resourceSpans) }
        var reason: String? = nil
        if let firstReason = decoder.firstReason {
            reason = "rejected \(decoder.rejected) of \(decoder.rejected + decoder.spans.count) spans; first: \(firstReason)"
        }
        return OTLPDecodedRequest(spans: decoder.spans, rejectedSpans: decoder.rejected, rejectionReason: reason)
    }

    private mutating func add(_ resourceSpans: OTLPResourceSpans) {
        var serviceName = "unknown_service"
        var resourceAttributes = [String: AttributeValue](minimumCapacity: resourceSpans.resource.attributes.count)
        for kv in resourceSpans.resource.attributes {
            guard let value = kv.value.attributeValue else { continue }
            if kv.key == MessagingKey.serviceName {
                let name = value.displayString
                if !name.isEmpty { serviceName = name }
            } else {
                resourceAttributes[kv.key] = value
            }
        }
        for scopeSpans in resourceSpans.scopeSpans {
            let scopeName = scopeSpans.scope.name.isEmpty ? nil : scopeSpans.scope.name
            for span in scopeSpans.spans {
                add(span, serviceName: serviceName, resourceAttributes: resourceAttributes, scopeName: scopeName)
            }
        }
    }

    private mutating func add(
        _ span: OTLPSpan, serviceName: String, resourceAttributes: [String: AttributeValue], scopeName: String?
    ) {
        guard let traceID = OTLPIDs.traceID(span.traceID), traceID.isValid else {
            return reject(span, "trace_id must be 16 bytes and not all zero, got \(Self.describe(span.traceID))")
        }
        guard let spanID = OTLPIDs.spanID(span.spanID), spanID.isValid else {
            return reject(span, "span_id must be 8 bytes and not all zero, got \(Self.describe(span.spanID))")
        }
        var parentSpanID: SpanID? = nil
        if !span.parentSpanID.isEmpty {
            guard let parent = OTLPIDs.spanID(span.parentSpanID) else {
                return reject(span, "parent_span_id must be empty or 8 bytes, got \(span.parentSpanID.count) bytes")
            }
            parentSpanID = parent.isValid ? parent : nil
        }

        var attributes = span.attributes.attributes
        var service = serviceName
        if case .string(let name)? = attributes[MessagingKey.serviceName] {
            attributes[MessagingKey.serviceName] = nil
            if !name.isEmpty { service = name }
        }
        let status = span.status
        spans.append(
            SpanRecord(
                traceID: traceID,
                spanID: spanID,
                parentSpanID: parentSpanID,
                traceState: span.traceState.isEmpty ? nil : span.traceState,
                name: span.name,
                kind: span.kind.model,
                startTimeUnixNano: span.startTimeUnixNano,
                endTimeUnixNano: span.endTimeUnixNano,
                attributes: attributes,
                events: span.events.map { SpanEvent(name: $0.name, timeUnixNano: $0.timeUnixNano, attributes: $0.attributes.attributes) },
                links: span.links.compactMap { link in
                    guard let traceID = OTLPIDs.traceID(link.traceID), let spanID = OTLPIDs.spanID(link.spanID) else { return nil }
                    return SpanLink(traceID: traceID, spanID: spanID, attributes: link.attributes.attributes)
                },
                statusCode: status.code.model,
                statusMessage: status.message.isEmpty ? nil : status.message,
                serviceName: service,
                resourceAttributes: resourceAttributes,
                scopeName: scopeName
            ))
    }

    private mutating func reject(_ span: OTLPSpan, _ reason: String) {
        rejected += 1
        if firstReason == nil {
            let name = span.name.count > 100 ? String(span.name.prefix(100)) + "…" : span.name
            firstReason = "span \"\(name)\": \(reason)"
        }
    }

    private static func describe(_ id: Data) -> String {
        if id.isEmpty { return "an empty id" }
        if id.allSatisfy({ $0 == 0 }) { return "all zeros (\(id.count) bytes)" }
        return "\(id.count) bytes"
    }
}
