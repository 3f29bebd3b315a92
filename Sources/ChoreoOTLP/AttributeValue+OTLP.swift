import ChoreoModel

extension OTLPAnyValue {
    /// The OTLP form of an attribute value; arrays become typed `ArrayValue`s.
    init(_ attribute: AttributeValue) {
        self.init()
        switch attribute {
        case .string(let v): value = .stringValue(v)
        case .int(let v): value = .intValue(v)
        case .double(let v): value = .doubleValue(v)
        case .bool(let v): value = .boolValue(v)
        case .stringArray(let a): value = .arrayValue(Self.array(a) { .stringValue($0) })
        case .intArray(let a): value = .arrayValue(Self.array(a) { .intValue($0) })
        case .doubleArray(let a): value = .arrayValue(Self.array(a) { .doubleValue($0) })
        case .boolArray(let a): value = .arrayValue(Self.array(a) { .boolValue($0) })
        }
    }

    private static func array<T>(_ elements: [T], _ wrap: (T) -> OneOf_Value) -> OTLPArrayValue {
        var array = OTLPArrayValue()
        array.values.reserveCapacity(elements.count)
        for element in elements {
            var item = OTLPAnyValue()
            item.value = wrap(element)
            array.values.append(item)
        }
        return array
    }

    /// The model form: primitives and homogeneous arrays map to their typed cases; key/value
    /// lists, bytes and mixed arrays become a JSON-like string rendering. Nil when unset.
    var attributeValue: AttributeValue? {
        switch value {
        case nil: return nil
        case .stringValue(let v): return .string(v)
        case .intValue(let v): return .int(v)
        case .doubleValue(let v): return .double(v)
        case .boolValue(let v): return .bool(v)
        case .arrayValue(let array): return Self.typedArray(array.values) ?? .string(rendered)
        case .kvlistValue, .bytesValue: return .string(rendered)
        }
    }

    private static func typedArray(_ values: [OTLPAnyValue]) -> AttributeValue? {
        guard let first = values.first?.value else { return values.isEmpty ? .stringArray([]) : nil }
        switch first {
        case .stringValue: return collect(values, { if case .stringValue(let v)? = $0 { v } else { nil } }).map { .stringArray($0) }
        case .intValue: return collect(values, { if case .intValue(let v)? = $0 { v } else { nil } }).map { .intArray($0) }
        case .doubleValue: return collect(values, { if case .doubleValue(let v)? = $0 { v } else { nil } }).map { .doubleArray($0) }
        case .boolValue: return collect(values, { if case .boolValue(let v)? = $0 { v } else { nil } }).map { .boolArray($0) }
        default: return nil
        }
    }

    private static func collect<T>(_ values: [OTLPAnyValue], _ extract: (OneOf_Value?) -> T?) -> [T]? {
        var result: [T] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let element = extract(value.value) else { return nil }
            result.append(element)
        }
        return result
    }
}

extension [OTLPKeyValue] {
    /// OTLP key/values from model attributes, leaving out `excluding` if given.
    init(_ attributes: [String: AttributeValue], excluding: String? = nil) {
        self.init()
        reserveCapacity(attributes.count)
        for (key, value) in attributes where key != excluding {
            var kv = OTLPKeyValue()
            kv.key = key
            kv.value = OTLPAnyValue(value)
            append(kv)
        }
    }

    /// Model attributes from OTLP key/values; unset values are skipped, a repeated key keeps
    /// its last value.
    var attributes: [String: AttributeValue] {
        var result = [String: AttributeValue](minimumCapacity: count)
        for kv in self {
            if let value = kv.value.attributeValue { result[kv.key] = value }
        }
        return result
    }
}
