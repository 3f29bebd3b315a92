import ChoreoModel
import ChoreoTracingBridge
import Tracing

extension ChoreoSpan {
    /// Converts the state into the exported record (an open span gets its start as its end).
    ///
    /// A `service.name` string attribute names the service that did the work (processes hosting
    /// several services): it becomes the record's `serviceName` and is removed from the attributes.
    func makeRecord(from state: State) -> SpanRecord {
        // Each attribute is converted and stored once, the dictionary's first and the list's after
        // them (a later value of a key replaces the earlier); a string `service.name` is taken out
        // on the way instead of being stored and removed again.
        var attributes: [String: AttributeValue] = [:]
        var serviceName = core.serviceName
        // True while a `service.name` that is not a string is stored as an attribute.
        var otherServiceName = false
        func put(_ key: String, _ value: AttributeValue) {
            if key == MessagingKey.serviceName {
                if case .string(let name) = value {
                    serviceName = name
                    if otherServiceName { attributes.removeValue(forKey: key) }
                    otherServiceName = false
                    return
                }
                serviceName = core.serviceName
                otherServiceName = true
            }
            attributes[key] = value
        }
        let count = state.attributes.count + state.recorded.count
        if count > 0 {
            // Made at its size (the standard library's `reserveCapacity` is unspecialized and looks
            // up generic metadata on each call).
            attributes = [String: AttributeValue](minimumCapacity: count)
            state.attributes.forEach { key, value in
                if let converted = AttributeValue(value) { put(key, converted) }
            }
            for element in state.recorded.elements { put(element.key, element.value) }
        }
        return SpanRecord(
            traceID: spanContext.traceID,
            spanID: spanContext.spanID,
            parentSpanID: parentSpanID,
            traceState: spanContext.traceState,
            name: state.operationName,
            kind: kind,
            startTimeUnixNano: startTimeUnixNano,
            endTimeUnixNano: max(state.endTimeUnixNano, startTimeUnixNano),
            attributes: attributes,
            events: state.events,
            links: state.links,
            statusCode: state.statusCode,
            statusMessage: state.statusMessage,
            serviceName: serviceName,
            resourceAttributes: core.resourceAttributes,
            scopeName: core.scopeName
        )
    }
}

extension ChoreoSpan.State {
    /// Every link, in the order they were added.
    var links: [ChoreoModel.SpanLink] {
        guard let firstLink else { return [] }
        return [firstLink] + laterLinks
    }

    /// Every attribute as the tracing API shows it: the dictionary's, with the list's applied after.
    var mergedAttributes: SpanAttributes {
        if recorded.isEmpty { return attributes }
        var merged = attributes
        merged.set(contentsOf: recorded)
        return merged
    }
}

extension ChoreoModel.SpanKind {
    /// The model kind of a swift-distributed-tracing span kind.
    init(_ kind: Tracing.SpanKind) {
        switch kind {
        case .server: self = .server
        case .client: self = .client
        case .producer: self = .producer
        case .consumer: self = .consumer
        case .internal: self = .internal
        }
    }
}
