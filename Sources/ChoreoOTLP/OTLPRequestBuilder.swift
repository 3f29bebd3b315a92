import ChoreoModel
import Foundation

/// Builds an `ExportTraceServiceRequest` from span records.
///
/// Spans are grouped into one `ResourceSpans` per (service name, resource attributes) and one
/// `ScopeSpans` per scope name, in first-seen order. A span attribute `service.name` (set by
/// processes hosting several services) is lifted into its resource's `service.name`.
struct OTLPRequestBuilder {
    private struct ResourceKey: Hashable {
        var serviceName: String
        var attributes: [String: AttributeValue]
    }

    private struct ResourceGroup {
        var key: ResourceKey
        var scopeIndex: [String: Int] = [:]
        var scopes: [OTLPScopeSpans] = []
    }

    func request(_ records: [SpanRecord]) -> OTLPExportRequest {
        var groups: [ResourceGroup] = []
        var groupIndex: [ResourceKey: Int] = [:]
        for record in records {
            var serviceName = record.serviceName
            var lifted: String? = nil
            if case .string(let name)? = record.attributes[MessagingKey.serviceName], !name.isEmpty {
                serviceName = name
                lifted = MessagingKey.serviceName
            }
            let key = ResourceKey(serviceName: serviceName, attributes: record.resourceAttributes)
            let g: Int
            if let existing = groupIndex[key] {
                g = existing
            } else {
                g = groups.count
                groupIndex[key] = g
                groups.append(ResourceGroup(key: key))
            }
            let scopeName = record.scopeName ?? ""
            let s: Int
            if let existing = groups[g].scopeIndex[scopeName] {
                s = existing
            } else {
                s = groups[g].scopes.count
                groups[g].scopeIndex[scopeName] = s
                var scope = OTLPScopeSpans()
                if !scopeName.isEmpty { scope.scope.name = scopeName }
                groups[g].scopes.append(scope)
            }
            groups[g].scopes[s].spans.append(span(record, excluding: lifted))
        }

        var request = OTLPExportRequest()
        request.resourceSpans = groups.map { group in
            var resourceSpans = OTLPResourceSpans()
            var attributes = [OTLPKeyValue](group.key.attributes, excluding: MessagingKey.serviceName)
            var service = OTLPKeyValue()
            service.key = MessagingKey.serviceName
            service.value.value = .stringValue(group.key.serviceName)
            attributes.insert(service, at: 0)
            resourceSpans.resource.attributes = attributes
            resourceSpans.scopeSpans = group.scopes
            return resourceSpans
        }
        return request
    }

    private func span(_ record: SpanRecord, excluding: String?) -> OTLPSpan {
        var span = OTLPSpan()
        span.traceID = OTLPIDs.data(record.traceID)
        span.spanID = OTLPIDs.data(record.spanID)
        if let parent = record.parentSpanID { span.parentSpanID = OTLPIDs.data(parent) }
        if let state = record.traceState { span.traceState = state }
        span.name = record.name
        span.kind = OTLPSpan.SpanKind(record.kind)
        span.startTimeUnixNano = record.startTimeUnixNano
        span.endTimeUnixNano = record.endTimeUnixNano
        if !record.attributes.isEmpty { span.attributes = [OTLPKeyValue](record.attributes, excluding: excluding) }
        if !record.events.isEmpty {
            span.events = record.events.map { event in
                var e = OTLPSpan.Event()
                e.name = event.name
                e.timeUnixNano = event.timeUnixNano
                e.attributes = [OTLPKeyValue](event.attributes)
                return e
            }
        }
        if !record.links.isEmpty {
            span.links = record.links.map { link in
                var l = OTLPSpan.Link()
                l.traceID = OTLPIDs.data(link.traceID)
                l.spanID = OTLPIDs.data(link.spanID)
                l.attributes = [OTLPKeyValue](link.attributes)
                return l
            }
        }
        if record.statusCode != .unset || record.statusMessage != nil {
            var status = OTLPStatus()
            status.code = OTLPStatus.StatusCode(record.statusCode)
            status.message = record.statusMessage ?? ""
            span.status = status
        }
        return span
    }
}

extension OTLPSpan.SpanKind {
    init(_ kind: SpanKind) {
        switch kind {
        case .unspecified: self = .unspecified
        case .internal: self = .internal
        case .server: self = .server
        case .client: self = .client
        case .producer: self = .producer
        case .consumer: self = .consumer
        }
    }

    var model: SpanKind {
        switch self {
        case .internal: .internal
        case .server: .server
        case .client: .client
        case .producer: .producer
        case .consumer: .consumer
        case .unspecified, .UNRECOGNIZED: .unspecified
        }
    }
}

extension OTLPStatus.StatusCode {
    init(_ code: SpanStatusCode) {
        switch code {
        case .unset: self = .unset
        case .ok: self = .ok
        case .error: self = .error
        }
    }

    var model: SpanStatusCode {
        switch self {
        case .ok: .ok
        case .error: .error
        case .unset, .UNRECOGNIZED: .unset
        }
    }
}
