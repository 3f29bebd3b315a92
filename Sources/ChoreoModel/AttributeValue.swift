/// A span attribute value, as OTLP's `AnyValue` restricted to what spans carry in practice.
public enum AttributeValue: Hashable, Sendable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case stringArray([String])
    case intArray([Int64])
    case doubleArray([Double])
    case boolArray([Bool])

    /// The value as a string when it is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value as an integer when it is one (or a string holding one).
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .string(let s): return Int64(s)
        default: return nil
        }
    }

    /// A human-readable rendering, used by the CLI and the dashboard.
    public var displayString: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        case .stringArray(let a): return "[" + a.joined(separator: ", ") + "]"
        case .intArray(let a): return "[" + a.map(String.init).joined(separator: ", ") + "]"
        case .doubleArray(let a): return "[" + a.map { String($0) }.joined(separator: ", ") + "]"
        case .boolArray(let a): return "[" + a.map(String.init).joined(separator: ", ") + "]"
        }
    }
}

extension AttributeValue: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([Bool].self) {
            self = .boolArray(a)
        } else if let a = try? c.decode([Int64].self) {
            self = .intArray(a)
        } else if let a = try? c.decode([Double].self) {
            self = .doubleArray(a)
        } else {
            self = .stringArray(try c.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        case .stringArray(let v): try c.encode(v)
        case .intArray(let v): try c.encode(v)
        case .doubleArray(let v): try c.encode(v)
        case .boolArray(let v): try c.encode(v)
        }
    }
}
