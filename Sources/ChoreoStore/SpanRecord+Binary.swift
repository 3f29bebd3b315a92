import ChoreoModel

/// The compact binary form in which stores keep a whole ``SpanRecord``.
///
/// Version 1 layout: version byte; trace id (2 × u64) and span id (u64); a presence byte for the
/// optional fields; name; kind; start and end (u64); attributes; events; links; status code and
/// message; service name; resource attributes; scope name. Integers little-endian, lengths varint;
/// attribute keys from ``AttributeKeyTable`` as a one-byte code.
extension SpanRecord {
    static let binaryVersion: UInt8 = 1

    /// The record in its binary form.
    public var binaryEncoded: [UInt8] {
        var writer = ByteWriter()
        encode(into: &writer)
        return writer.bytes
    }

    /// Decodes a record from its binary form.
    ///
    /// - Throws: ``StoreError`` with code `corrupt_record` when the bytes are not a valid record.
    public init(binaryEncoded bytes: UnsafeRawBufferPointer) throws {
        var reader = ByteReader(bytes)
        try self.init(from: &reader)
        guard reader.isAtEnd else { throw ByteReader.corrupt("\(bytes.count - reader.offset) trailing bytes") }
    }

    /// Decodes a record from its binary form.
    public init(binaryEncoded bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { try SpanRecord(binaryEncoded: $0) }
    }

    private enum Presence {
        static let parent: UInt8 = 1
        static let traceState: UInt8 = 2
        static let statusMessage: UInt8 = 4
        static let scopeName: UInt8 = 8
    }

    func encode(into w: inout ByteWriter) {
        w.u8(Self.binaryVersion)
        w.u64(traceID.high)
        w.u64(traceID.low)
        w.u64(spanID.value)
        var presence: UInt8 = 0
        if parentSpanID != nil { presence |= Presence.parent }
        if traceState != nil { presence |= Presence.traceState }
        if statusMessage != nil { presence |= Presence.statusMessage }
        if scopeName != nil { presence |= Presence.scopeName }
        w.u8(presence)
        if let parentSpanID { w.u64(parentSpanID.value) }
        if let traceState { w.string(traceState) }
        w.string(name)
        w.u8(kind.binaryCode)
        w.u64(startTimeUnixNano)
        w.u64(endTimeUnixNano)
        w.attributes(attributes)
        w.varint(events.count)
        for event in events {
            w.string(event.name)
            w.u64(event.timeUnixNano)
            w.attributes(event.attributes)
        }
        w.varint(links.count)
        for link in links {
            w.u64(link.traceID.high)
            w.u64(link.traceID.low)
            w.u64(link.spanID.value)
            w.attributes(link.attributes)
        }
        w.u8(statusCode.binaryCode)
        if let statusMessage { w.string(statusMessage) }
        w.string(serviceName)
        w.attributes(resourceAttributes)
        if let scopeName { w.string(scopeName) }
    }

    init(from r: inout ByteReader) throws {
        let version = try r.u8()
        guard version == Self.binaryVersion else { throw ByteReader.corrupt("unknown record version \(version)") }
        let traceID = TraceID(high: try r.u64(), low: try r.u64())
        let spanID = SpanID(try r.u64())
        let presence = try r.u8()
        let parent = presence & Presence.parent != 0 ? SpanID(try r.u64()) : nil
        let traceState = presence & Presence.traceState != 0 ? try r.string() : nil
        let name = try r.string()
        let kind = try SpanKind(binaryCode: r.u8())
        let start = try r.u64()
        let end = try r.u64()
        let attributes = try r.attributes()
        var events: [SpanEvent] = []
        for _ in 0..<(try r.count()) {
            events.append(SpanEvent(name: try r.string(), timeUnixNano: try r.u64(), attributes: try r.attributes()))
        }
        var links: [SpanLink] = []
        for _ in 0..<(try r.count()) {
            let linkTrace = TraceID(high: try r.u64(), low: try r.u64())
            links.append(SpanLink(traceID: linkTrace, spanID: SpanID(try r.u64()), attributes: try r.attributes()))
        }
        let status = try SpanStatusCode(binaryCode: r.u8())
        let statusMessage = presence & Presence.statusMessage != 0 ? try r.string() : nil
        let service = try r.string()
        let resource = try r.attributes()
        let scope = presence & Presence.scopeName != 0 ? try r.string() : nil
        self.init(
            traceID: traceID, spanID: spanID, parentSpanID: parent, traceState: traceState, name: name,
            kind: kind, startTimeUnixNano: start, endTimeUnixNano: end, attributes: attributes,
            events: events, links: links, statusCode: status, statusMessage: statusMessage,
            serviceName: service, resourceAttributes: resource, scopeName: scope
        )
    }
}
