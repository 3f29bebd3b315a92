/// The OTLP trace export request (`POST /v1/traces` body), as generated from the proto.
public typealias OTLPExportRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
/// The OTLP trace export response.
public typealias OTLPExportResponse = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse

typealias OTLPResourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans
typealias OTLPScopeSpans = Opentelemetry_Proto_Trace_V1_ScopeSpans
typealias OTLPSpan = Opentelemetry_Proto_Trace_V1_Span
typealias OTLPStatus = Opentelemetry_Proto_Trace_V1_Status
typealias OTLPAnyValue = Opentelemetry_Proto_Common_V1_AnyValue
typealias OTLPArrayValue = Opentelemetry_Proto_Common_V1_ArrayValue
typealias OTLPKeyValue = Opentelemetry_Proto_Common_V1_KeyValue

extension Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest {
    /// The number of spans in the request, over all resources and scopes.
    public var spanCount: Int {
        var count = 0
        for resource in resourceSpans {
            for scope in resource.scopeSpans { count += scope.spans.count }
        }
        return count
    }
}
