import ChoreoModel
import Tracing

// The one conversion between the model's attribute values and swift-distributed-tracing's, used
// by the instrumentation middleware (recording on any tracer's span) and by ChoreoTracer
// (exporting what the tracing API recorded). Inlinable: both sit on the per-span hot path.

extension SpanAttribute {
    /// A model value as the tracing API's attribute (integers as `int64`).
    @inlinable
    public init(_ value: AttributeValue) {
        switch value {
        case .string(let v): self = .string(v)
        case .int(let v): self = .int64(v)
        case .double(let v): self = .double(v)
        case .bool(let v): self = .bool(v)
        case .stringArray(let v): self = .stringArray(v)
        case .intArray(let v): self = .int64Array(v)
        case .doubleArray(let v): self = .doubleArray(v)
        case .boolArray(let v): self = .boolArray(v)
        }
    }
}

extension AttributeValue {
    /// Converts a swift-distributed-tracing attribute value; `nil` for a kind this model lacks.
    @inlinable
    public init?(_ attribute: SpanAttribute) {
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

extension SpanAttributes {
    /// Sets every element of `list`, in order (a later value of a key replaces the earlier).
    @inlinable
    public mutating func set(contentsOf list: AttributeList) {
        reserveCapacity(count + list.count)
        for element in list.elements { set(element.key, value: SpanAttribute(element.value)) }
    }

    /// The attributes as model values; values of unknown future kinds are skipped.
    public var choreoAttributes: [String: AttributeValue] {
        if isEmpty { return [:] }
        var result = [String: AttributeValue](minimumCapacity: count)
        forEach { key, value in
            if let converted = AttributeValue(value) { result[key] = converted }
        }
        return result
    }
}
