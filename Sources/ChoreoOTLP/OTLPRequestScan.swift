/// Counts the spans and elements of an `ExportTraceServiceRequest` on its wire bytes, without
/// decoding anything, and stops at the first limit of ``OTLPRequestLimits`` it crosses.
///
/// The protobuf walk follows the OTLP trace schema (resource spans → scope spans → spans →
/// attributes, events, links → values at any depth) and skips every other field by its wire
/// type, so it costs no allocation and a pass over the bytes. It also rejects what the decoder
/// would reject anyway (truncated fields, nesting deeper than ``maxDepth``), with a clearer message.
public enum OTLPRequestScan {
    /// Deepest nesting of messages accepted (as SwiftProtobuf's default decoding depth).
    public static let maxDepth = 100

    /// Scans protobuf bytes; throws ``OTLPDecodingError/Code/tooManySpans``,
    /// ``OTLPDecodingError/Code/tooManyElements`` or
    /// ``OTLPDecodingError/Code/malformedProtobuf``.
    public static func protobuf(_ bytes: [UInt8], limits: OTLPRequestLimits) throws(OTLPDecodingError) -> OTLPRequestShape {
        var walker = ProtobufWalker(limits: limits)
        let failure: OTLPDecodingError? = bytes.withUnsafeBufferPointer { buffer in
            do throws(OTLPDecodingError) {
                var reader = WireReader(buffer, start: 0, end: buffer.count)
                try walker.walk(&reader, kind: .request, depth: 0)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return walker.shape
    }

    /// Scans OTLP/JSON bytes; see ``OTLPJSONScan``.
    public static func json(_ bytes: [UInt8], limits: OTLPRequestLimits) throws(OTLPDecodingError) -> OTLPRequestShape {
        try OTLPJSONScan.scan(bytes, limits: limits)
    }

    static func tooManySpans(_ limits: OTLPRequestLimits) -> OTLPDecodingError {
        OTLPDecodingError(
            .tooManySpans,
            "the request holds more than \(limits.maxSpans) spans, the limit per request; send smaller batches")
    }

    static func tooManyElements(_ limits: OTLPRequestLimits) -> OTLPDecodingError {
        OTLPDecodingError(
            .tooManyElements,
            "the request holds more than \(limits.maxElements) elements (spans, attributes, events, links, values), "
                + "the limit per request (\(OTLPRequestLimits.elementsPerSpan) per span of the span limit); send smaller batches")
    }
}

/// The messages of the OTLP trace schema whose element counts matter, and which of their fields
/// hold which nested message.
enum OTLPMessageKind {
    case request, resourceSpans, resource, scopeSpans, scope, span, event, link, status
    case keyValue, anyValue, arrayValue, keyValueList

    /// The message a length-delimited field of this message holds, or nil for bytes, strings
    /// and unknown fields.
    func child(_ field: UInt64) -> OTLPMessageKind? {
        switch (self, field) {
        case (.request, 1): return .resourceSpans
        case (.resourceSpans, 1): return .resource
        case (.resourceSpans, 2): return .scopeSpans
        case (.resource, 1), (.scope, 3), (.span, 9), (.event, 3), (.link, 4), (.keyValueList, 1): return .keyValue
        case (.scopeSpans, 1): return .scope
        case (.scopeSpans, 2): return .span
        case (.span, 11): return .event
        case (.span, 13): return .link
        case (.span, 15): return .status
        case (.keyValue, 2), (.arrayValue, 1): return .anyValue
        case (.anyValue, 5): return .arrayValue
        case (.anyValue, 6): return .keyValueList
        default: return nil
        }
    }
}

private struct ProtobufWalker {
    let limits: OTLPRequestLimits
    var shape = OTLPRequestShape(spans: 0, elements: 0)

    init(limits: OTLPRequestLimits) { self.limits = limits }

    mutating func walk(_ reader: inout WireReader, kind: OTLPMessageKind, depth: Int) throws(OTLPDecodingError) {
        while !reader.atEnd {
            let (field, wireType) = try reader.tag()
            guard wireType == 2, let child = kind.child(field) else {
                try reader.skip(wireType: wireType, field: field, depth: depth)
                continue
            }
            var nested = try reader.lengthDelimited()
            guard depth < OTLPRequestScan.maxDepth else {
                throw WireReader.malformed("messages nested deeper than \(OTLPRequestScan.maxDepth) levels")
            }
            try count(child)
            try walk(&nested, kind: child, depth: depth + 1)
        }
    }

    private mutating func count(_ kind: OTLPMessageKind) throws(OTLPDecodingError) {
        shape.elements += 1
        if shape.elements > limits.maxElements { throw OTLPRequestScan.tooManyElements(limits) }
        guard kind == .span else { return }
        shape.spans += 1
        if shape.spans > limits.maxSpans { throw OTLPRequestScan.tooManySpans(limits) }
    }
}

/// A cursor over protobuf wire bytes.
struct WireReader {
    let buffer: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int

    init(_ buffer: UnsafeBufferPointer<UInt8>, start: Int, end: Int) {
        self.buffer = buffer
        self.position = start
        self.end = end
    }

    var atEnd: Bool { position >= end }

    static func malformed(_ what: String) -> OTLPDecodingError {
        OTLPDecodingError(
            .malformedProtobuf,
            "the body is not a valid protobuf ExportTraceServiceRequest (\(what)); "
                + "check that Content-Type matches the body and that it is not compressed without Content-Encoding")
    }

    /// A varint of up to 10 bytes; bits past the 64th are dropped, as the decoder does.
    mutating func varint() throws(OTLPDecodingError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < end {
            let byte = buffer[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            if shift > 63 { throw Self.malformed("a varint is longer than 10 bytes") }
        }
        throw Self.malformed("truncated varint at byte \(position)")
    }

    mutating func tag() throws(OTLPDecodingError) -> (field: UInt64, wireType: UInt64) {
        let key = try varint()
        let field = key >> 3
        guard field > 0, field <= 536_870_911 else { throw Self.malformed("field number \(field) out of range") }
        return (field, key & 7)
    }

    /// The bytes of a length-delimited field, as a reader of their own.
    mutating func lengthDelimited() throws(OTLPDecodingError) -> WireReader {
        let length = try varint()
        guard length <= UInt64(end - position) else {
            throw Self.malformed("a field of \(length) bytes runs past the end of its message")
        }
        let nested = WireReader(buffer, start: position, end: position + Int(length))
        position += Int(length)
        return nested
    }

    /// Skips one field's value (a group up to its end tag).
    mutating func skip(wireType: UInt64, field: UInt64, depth: Int) throws(OTLPDecodingError) {
        switch wireType {
        case 0: _ = try varint()
        case 1: try advance(8)
        case 2: _ = try lengthDelimited()
        case 5: try advance(4)
        case 3: try skipGroup(field, depth: depth)
        default: throw Self.malformed("wire type \(wireType) of field \(field)")
        }
    }

    private mutating func advance(_ count: Int) throws(OTLPDecodingError) {
        guard end - position >= count else { throw Self.malformed("truncated fixed-size field at byte \(position)") }
        position += count
    }

    private mutating func skipGroup(_ field: UInt64, depth: Int) throws(OTLPDecodingError) {
        guard depth < OTLPRequestScan.maxDepth else {
            throw Self.malformed("groups nested deeper than \(OTLPRequestScan.maxDepth) levels")
        }
        while !atEnd {
            let (inner, wireType) = try tag()
            if wireType == 4 {
                guard inner == field else { throw Self.malformed("group \(field) ended by the end tag of \(inner)") }
                return
            }
            try skip(wireType: wireType, field: inner, depth: depth + 1)
        }
        throw Self.malformed("group \(field) has no end tag")
    }
}
