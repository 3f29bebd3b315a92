import ChoreoModel

/// The type tag of an attribute value in the span binary codec.
private enum Tag {
    static let string: UInt8 = 1, int: UInt8 = 2, double: UInt8 = 3, bool: UInt8 = 4
    static let stringArray: UInt8 = 5, intArray: UInt8 = 6, doubleArray: UInt8 = 7, boolArray: UInt8 = 8
}

/// Attribute maps in the span binary codec: a count, then key, type tag and value per entry.
extension ByteWriter {
    mutating func attributes(_ attributes: [String: AttributeValue]) {
        varint(attributes.count)
        for (key, value) in attributes {
            attributeKey(key)
            switch value {
            case .string(let v):
                u8(Tag.string)
                string(v)
            case .int(let v):
                u8(Tag.int)
                u64(UInt64(bitPattern: v))
            case .double(let v):
                u8(Tag.double)
                u64(v.bitPattern)
            case .bool(let v):
                u8(Tag.bool)
                u8(v ? 1 : 0)
            case .stringArray(let a):
                u8(Tag.stringArray)
                varint(a.count)
                a.forEach { string($0) }
            case .intArray(let a):
                u8(Tag.intArray)
                varint(a.count)
                a.forEach { u64(UInt64(bitPattern: $0)) }
            case .doubleArray(let a):
                u8(Tag.doubleArray)
                varint(a.count)
                a.forEach { u64($0.bitPattern) }
            case .boolArray(let a):
                u8(Tag.boolArray)
                varint(a.count)
                a.forEach { u8($0 ? 1 : 0) }
            }
        }
    }
}

extension ByteReader {
    mutating func attributes() throws -> [String: AttributeValue] {
        let n = try count()
        // Sized at creation: `reserveCapacity` on an empty dictionary goes through the standard
        // library's unspecialized resize, which looks up generic metadata on every call.
        var result = [String: AttributeValue](minimumCapacity: n)
        for _ in 0..<n {
            let key = try attributeKey()
            result[key] = try attributeValue()
        }
        return result
    }

    private mutating func attributeValue() throws -> AttributeValue {
        switch try u8() {
        case Tag.string: return .string(try string())
        case Tag.int: return .int(Int64(bitPattern: try u64()))
        case Tag.double: return .double(Double(bitPattern: try u64()))
        case Tag.bool: return .bool(try u8() != 0)
        case Tag.stringArray: return .stringArray(try (0..<count()).map { _ in try string() })
        case Tag.intArray: return .intArray(try (0..<count()).map { _ in Int64(bitPattern: try u64()) })
        case Tag.doubleArray: return .doubleArray(try (0..<count()).map { _ in Double(bitPattern: try u64()) })
        case Tag.boolArray: return .boolArray(try (0..<count()).map { _ in try u8() != 0 })
        case let tag: throw Self.corrupt("unknown attribute tag \(tag)")
        }
    }
}

extension SpanKind {
    /// OTLP's numbering.
    var binaryCode: UInt8 {
        switch self {
        case .unspecified: 0
        case .internal: 1
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        }
    }

    init(binaryCode: UInt8) throws {
        let all: [SpanKind] = [.unspecified, .internal, .server, .client, .producer, .consumer]
        guard Int(binaryCode) < all.count else { throw ByteReader.corrupt("unknown span kind \(binaryCode)") }
        self = all[Int(binaryCode)]
    }
}

extension SpanStatusCode {
    /// OTLP's numbering.
    var binaryCode: UInt8 {
        switch self {
        case .unset: 0
        case .ok: 1
        case .error: 2
        }
    }

    init(binaryCode: UInt8) throws {
        switch binaryCode {
        case 0: self = .unset
        case 1: self = .ok
        case 2: self = .error
        default: throw ByteReader.corrupt("unknown status code \(binaryCode)")
        }
    }
}
