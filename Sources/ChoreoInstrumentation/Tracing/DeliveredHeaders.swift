import ChoreoModel
import Tracing

/// A delivered message's headers as the carrier its trace context is extracted from, with the
/// values of `traceparent`, `tracestate` and `baggage` its metadata walk already found: the
/// instrument's three lookups cost no hashing and, when a header is absent, no second walk.
struct DeliveredHeaders {
    var headers: [String: String]
    var metadata: MessageMetadata
}

/// Reads trace context from ``DeliveredHeaders`` exactly as ``HeaderExtractor`` reads it from
/// the headers (an exact name first, else a case-insensitive match), using what the metadata
/// walk found for the trace-context headers.
struct DeliveredHeaderExtractor: Extractor {
    func extract(key: String, from carrier: DeliveredHeaders) -> String? {
        let found: String?
        switch key {
        case MessageHeader.traceparent: found = carrier.metadata.traceparent
        case MessageHeader.tracestate: found = carrier.metadata.tracestate
        case MessageHeader.baggage: found = carrier.metadata.baggage
        default: return HeaderExtractor().extract(key: key, from: carrier.headers)
        }
        // Absent under its exact name: only a name with an upper-case letter can still match.
        if found != nil || !carrier.metadata.hasUpperCaseName { return found }
        return HeaderExtractor().extract(key: key, from: carrier.headers)
    }
}
