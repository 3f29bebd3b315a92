import ChoreoModel
import Tracing

extension ChoreoSpan {
    /// Converts the state into the exported record (an open span gets its start as its end).
    ///
    /// A `service.name` string attribute names the service that did the work (processes hosting
    /// several services): it becomes the record's `serviceName` and is removed from the attributes.
    func makeRecord(from state: State) -> SpanRecord {
        // One pass: each attribute is converted and stored once; a string `service.name` is
        // taken out on the way instead of being stored and removed again.
        var attributes: [String: AttributeValue] = [:]
        var serviceName = core.serviceName
        if !state.attributes.isEmpty {
            attributes.reserveCapacity(state.attributes.count)
            state.attributes.forEach { key, value in
                guard let converted = AttributeValue(value) else { return }
                if case .string(let name) = converted, key == MessagingKey.serviceName {
                    serviceName = name
                } else {
                    attributes[key] = converted
                }
            }
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

extension SpanAttributes {
    /// The attributes as model values; values of unknown future kinds are skipped.
    var choreoAttributes: [String: AttributeValue] {
        if isEmpty { return [:] }
        var result: [String: AttributeValue] = [:]
        result.reserveCapacity(count)
        forEach { key, value in
            if let converted = AttributeValue(value) { result[key] = converted }
        }
        return result
    }
}

extension AttributeValue {
    /// Converts a swift-distributed-tracing attribute value; `nil` for a kind this model lacks.
    init?(_ attribute: SpanAttribute) {
        switch attribute {
        case .int32(let v): self = .int(Int64(v))
        case .int64(let v): self = .int(v)
        case .int32Array(let v): self = .intArray(v.map(Int64.init))
        case .int64Array(let v): self = .intArray(v)
        case .double(let v): self = .double(v)
        case .doubleArray(let v): self = .doubleArray(v)
        case .bool(let v): self = .bool(v)
        case .boolArray(let v): self = .boolArray(v)
        case .string(let v): self = .string(v)
        case .stringArray(let v): self = .stringArray(v)
        case .stringConvertible(let v): self = .string(v.description)
        case .stringConvertibleArray(let v): self = .stringArray(v.map(\.description))
        default: return nil
        }
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
