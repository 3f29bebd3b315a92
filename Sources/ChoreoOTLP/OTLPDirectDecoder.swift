import ChoreoModel

/// Decodes protobuf `ExportTraceServiceRequest` bytes straight into span records, in one pass
/// over the wire bytes, without building SwiftProtobuf messages first (the collector's ingest
/// hot path: that intermediate tree cost more than everything else a span goes through).
///
/// It decodes the requests OTLP exporters send and gives up (nil) on anything unusual, which
/// then goes through the general path (SwiftProtobuf, then ``OTLPRecordDecoder``): malformed
/// bytes, a known field with the wrong wire type, invalid UTF-8 in any string field, a
/// singular message field given twice (protobuf merges those), several members of one
/// `AnyValue`, groups, and attribute values the model stores as a rendering (bytes, key/value
/// lists, mixed or nested arrays, a non-string `service.name`). So for every request it
/// decodes, the result is exactly the general path's — a differential fuzz test holds it to
/// that — and it never accepts what the general path rejects.
enum OTLPDirectDecoder {
    /// The records of `bytes`, or nil when the general path must decide.
    static func decode(_ bytes: [UInt8]) -> OTLPDecodedRequest? {
        bytes.withUnsafeBufferPointer { buffer -> OTLPDecodedRequest? in
            var state = State()
            do {
                var reader = WireReader(buffer, start: 0, end: buffer.count)
                while !reader.atEnd {
                    let (field, wireType) = try reader.tag()
                    if field == 1 {
                        try expect(wireType, 2)
                        var nested = try reader.nested()
                        try state.resourceSpans(&nested)
                    } else {
                        try reader.skip(wireType)
                    }
                }
            } catch {
                return nil
            }
            return state.result()
        }
    }

    /// The general path must decide (a malformation found by ``WireReader`` says so too).
    struct GiveUp: Error {}

    static func expect(_ wireType: UInt64, _ expected: UInt64) throws {
        guard wireType == expected else { throw GiveUp() }
    }

    struct State {
        var spans: [SpanRecord] = []
        /// Attributes of the last span decoded: the size the next span's map starts at.
        var attributesPerSpan = 0
        var rejected = 0
        var firstReason: String?

        func result() -> OTLPDecodedRequest {
            var reason: String? = nil
            if let firstReason {
                reason = "rejected \(rejected) of \(rejected + spans.count) spans; first: \(firstReason)"
            }
            return OTLPDecodedRequest(spans: spans, rejectedSpans: rejected, rejectionReason: reason)
        }

        /// ResourceSpans: resource = 1, scope_spans = 2, schema_url = 3.
        mutating func resourceSpans(_ reader: inout WireReader) throws {
            var serviceName = "unknown_service"
            var resourceAttributes: [String: AttributeValue] = [:]
            var scopes: [WireReader] = []
            var sawResource = false
            while !reader.atEnd {
                let (field, wireType) = try reader.tag()
                switch field {
                case 1:
                    try expect(wireType, 2)
                    guard !sawResource else { throw GiveUp() }
                    sawResource = true
                    var resource = try reader.nested()
                    try Self.resource(&resource, serviceName: &serviceName, attributes: &resourceAttributes)
                case 2:
                    try expect(wireType, 2)
                    scopes.append(try reader.nested())
                case 3: try reader.skipString(wireType)
                default: try reader.skip(wireType)
                }
            }
            for var scope in scopes {
                try scopeSpans(&scope, serviceName: serviceName, resourceAttributes: resourceAttributes)
            }
        }

        /// Resource: attributes = 1, dropped_attributes_count = 2.
        static func resource(
            _ reader: inout WireReader, serviceName: inout String, attributes: inout [String: AttributeValue]
        ) throws {
            while !reader.atEnd {
                let (field, wireType) = try reader.tag()
                switch field {
                case 1:
                    try expect(wireType, 2)
                    var kv = try reader.nested()
                    guard let (key, value) = try keyValue(&kv) else { continue }
                    if key == MessagingKey.serviceName {
                        guard case .string(let name) = value else { throw GiveUp() }
                        if !name.isEmpty { serviceName = name }
                    } else {
                        attributes[key] = value
                    }
                case 2: try reader.skipKnown(wireType, 0)
                default: try reader.skip(wireType)
                }
            }
        }

        /// ScopeSpans: scope = 1, spans = 2, schema_url = 3.
        mutating func scopeSpans(
            _ reader: inout WireReader, serviceName: String, resourceAttributes: [String: AttributeValue]
        ) throws {
            var scopeName: String? = nil
            var spanReaders: [WireReader] = []
            var sawScope = false
            while !reader.atEnd {
                let (field, wireType) = try reader.tag()
                switch field {
                case 1:
                    try expect(wireType, 2)
                    guard !sawScope else { throw GiveUp() }
                    sawScope = true
                    var scope = try reader.nested()
                    let name = try Self.scope(&scope)
                    scopeName = name.isEmpty ? nil : name
                case 2:
                    try expect(wireType, 2)
                    spanReaders.append(try reader.nested())
                case 3: try reader.skipString(wireType)
                default: try reader.skip(wireType)
                }
            }
            spans.reserveCapacity(spans.count + spanReaders.count)
            for var span in spanReaders {
                try self.span(&span, serviceName: serviceName, resourceAttributes: resourceAttributes, scopeName: scopeName)
            }
        }

        /// InstrumentationScope: name = 1, version = 2, attributes = 3, dropped_attributes_count = 4.
        static func scope(_ reader: inout WireReader) throws -> String {
            var name = ""
            while !reader.atEnd {
                let (field, wireType) = try reader.tag()
                switch field {
                case 1:
                    try expect(wireType, 2)
                    name = try reader.string()
                case 2: try reader.skipString(wireType)
                case 3:
                    try expect(wireType, 2)
                    var kv = try reader.nested()
                    _ = try keyValue(&kv)
                case 4: try reader.skipKnown(wireType, 0)
                default: try reader.skip(wireType)
                }
            }
            return name
        }

        /// Span: trace_id = 1, span_id = 2, trace_state = 3, parent_span_id = 4, name = 5,
        /// kind = 6, start = 7, end = 8, attributes = 9, dropped_attributes_count = 10,
        /// events = 11, dropped_events_count = 12, links = 13, dropped_links_count = 14,
        /// status = 15, flags = 16.
        mutating func span(
            _ reader: inout WireReader, serviceName: String, resourceAttributes: [String: AttributeValue], scopeName: String?
        ) throws {
            var traceID: Range<Int> = 0..<0
            var spanID: Range<Int> = 0..<0
            var parentSpanID: Range<Int> = 0..<0
            var traceState = ""
            var name = ""
            var kind: Int32 = 0
            var start: UInt64 = 0
            var end: UInt64 = 0
            var attributes: [String: AttributeValue] = [:]
            var events: [SpanEvent] = []
            var links: [SpanLink] = []
            var statusCode: Int32 = 0
            var statusMessage = ""
            var sawStatus = false
            while !reader.atEnd {
                let (field, wireType) = try reader.tag()
                switch field {
                case 1:
                    try expect(wireType, 2)
                    traceID = try reader.span()
                case 2:
                    try expect(wireType, 2)
                    spanID = try reader.span()
                case 3:
                    try expect(wireType, 2)
                    traceState = try reader.string()
                case 4:
                    try expect(wireType, 2)
                    parentSpanID = try reader.span()
                case 5:
                    try expect(wireType, 2)
                    name = try reader.string()
                case 6:
                    try expect(wireType, 0)
                    kind = Int32(truncatingIfNeeded: try reader.varint())
                case 7:
                    try expect(wireType, 1)
                    start = try reader.fixed64()
                case 8:
                    try expect(wireType, 1)
                    end = try reader.fixed64()
                case 9:
                    try expect(wireType, 2)
                    var kv = try reader.nested()
                    guard let (key, value) = try Self.keyValue(&kv) else { continue }
                    // Sized once, like the span before it (spans of one request look alike),
                    // instead of growing 1, 2, 4, 8, 16 and rehashing at each step.
                    if attributes.isEmpty { attributes = [String: AttributeValue](minimumCapacity: max(attributesPerSpan, 1)) }
                    attributes[key] = value
                case 11:
                    try expect(wireType, 2)
                    var event = try reader.nested()
                    events.append(try Self.event(&event))
                case 13:
                    try expect(wireType, 2)
                    var link = try reader.nested()
                    if let link = try Self.link(&link) { links.append(link) }
                case 15:
                    try expect(wireType, 2)
                    guard !sawStatus else { throw GiveUp() }
                    sawStatus = true
                    var status = try reader.nested()
                    (statusCode, statusMessage) = try Self.status(&status)
                case 10, 12, 14: try reader.skipKnown(wireType, 0)
                case 16: try reader.skipKnown(wireType, 5)
                default: try reader.skip(wireType)
                }
            }

            guard let trace = Self.traceID(reader.bytes(traceID)), trace.isValid else {
                return reject(name, "trace_id must be 16 bytes and not all zero, got \(Self.describe(reader.bytes(traceID)))")
            }
            guard let spanIdentifier = Self.spanID(reader.bytes(spanID)), spanIdentifier.isValid else {
                return reject(name, "span_id must be 8 bytes and not all zero, got \(Self.describe(reader.bytes(spanID)))")
            }
            var parent: SpanID? = nil
            if !parentSpanID.isEmpty {
                guard let id = Self.spanID(reader.bytes(parentSpanID)) else {
                    return reject(name, "parent_span_id must be empty or 8 bytes, got \(parentSpanID.count) bytes")
                }
                parent = id.isValid ? id : nil
            }
            attributesPerSpan = attributes.count
            var service = serviceName
            if case .string(let spanService)? = attributes[MessagingKey.serviceName] {
                attributes[MessagingKey.serviceName] = nil
                if !spanService.isEmpty { service = spanService }
            }
            spans.append(
                SpanRecord(
                    traceID: trace,
                    spanID: spanIdentifier,
                    parentSpanID: parent,
                    traceState: traceState.isEmpty ? nil : traceState,
                    name: name,
                    kind: Self.kind(kind),
                    startTimeUnixNano: start,
                    endTimeUnixNano: end,
                    attributes: attributes,
                    events: events,
                    links: links,
                    statusCode: Self.statusCode(statusCode),
                    statusMessage: statusMessage.isEmpty ? nil : statusMessage,
                    serviceName: service,
                    resourceAttributes: resourceAttributes,
                    scopeName: scopeName
                ))
        }

        private mutating func reject(_ name: String, _ reason: String) {
            rejected += 1
            if firstReason == nil {
                let shown = name.count > 100 ? String(name.prefix(100)) + "…" : name
                firstReason = "span \"\(shown)\": \(reason)"
            }
        }

        /// Event: time_unix_nano = 1, name = 2, attributes = 3, dropped_attributes_count = 4.
        static func event(_ reader: inout WireReader) throws -> SpanEvent {
            var time: UInt64 = 0
            var name = ""
            var attributes: [String: AttributeValue] = [:]
            while !reader.atEnd {
                let (field, wireType) = try reader.tag()
                switch field {
                case 1:
                    try expect(wireType, 1)
                    time = try reader.fixed64()
                case 2:
                    try expect(wireType, 2)
                    name = try reader.string()
                case 3:
                    try expect(wireType, 2)
                    var kv = try reader.nested()
                    if let (key, value) = try keyValue(&kv) { attributes[key] = value }
                case 4: try reader.skipKnown(wireType, 0)
                default: try reader.skip(wireType)
                }
            }
            return SpanEvent(name: name, timeUnixNano: time, attributes: attributes)
        }

        /// Link: trace_id = 1, span_id = 2, trace_state = 3, attributes = 4,
        /// dropped_attributes_count = 5, flags = 6. Nil when its ids have the wrong length.
        static func link(_ reader: inout WireReader) throws -> SpanLink? {
            var traceID: Range<Int> = 0..<0
            var spanID: Range<Int> = 0..<0
            var attributes: [String: AttributeValue] = [:]
            while !reader.atEnd {
                let (field, wireType) = try reader.tag()
                switch field {
                case 1:
                    try expect(wireType, 2)
                    traceID = try reader.span()
                case 2:
                    try expect(wireType, 2)
                    spanID = try reader.span()
                case 3: try reader.skipString(wireType)
                case 4:
                    try expect(wireType, 2)
                    var kv = try reader.nested()
                    if let (key, value) = try keyValue(&kv) { attributes[key] = value }
                case 5: try reader.skipKnown(wireType, 0)
                case 6: try reader.skipKnown(wireType, 5)
                default: try reader.skip(wireType)
                }
            }
            guard let trace = Self.traceID(reader.bytes(traceID)), let span = Self.spanID(reader.bytes(spanID)) else { return nil }
            return SpanLink(traceID: trace, spanID: span, attributes: attributes)
        }

        /// Status: message = 2, code = 3.
        static func status(_ reader: inout WireReader) throws -> (Int32, String) {
            var code: Int32 = 0
            var message = ""
            while !reader.atEnd {
                let (field, wireType) = try reader.tag()
                switch field {
                case 2:
                    try expect(wireType, 2)
                    message = try reader.string()
                case 3:
                    try expect(wireType, 0)
                    code = Int32(truncatingIfNeeded: try reader.varint())
                default: try reader.skip(wireType)
                }
            }
            return (code, message)
        }

        /// KeyValue: key = 1, value = 2. Nil when the value is unset (the general path skips it).
        static func keyValue(_ reader: inout WireReader) throws -> (String, AttributeValue)? {
            var key = ""
            var value: AttributeValue? = nil
            var sawValue = false
            while !reader.atEnd {
                let (field, wireType) = try reader.tag()
                switch field {
                case 1:
                    try expect(wireType, 2)
                    key = try reader.key()
                case 2:
                    try expect(wireType, 2)
                    guard !sawValue else { throw GiveUp() }
                    sawValue = true
                    var any = try reader.nested()
                    value = try anyValue(&any, allowArray: true)
                default: try reader.skip(wireType)
                }
            }
            guard let value else { return nil }
            return (key, value)
        }

        /// AnyValue: string = 1, bool = 2, int = 3, double = 4, array = 5 (typed arrays of one
        /// primitive type only), kvlist = 6 and bytes = 7 give up. Nil when unset.
        static func anyValue(_ reader: inout WireReader, allowArray: Bool) throws -> AttributeValue? {
            var value: AttributeValue? = nil
            while !reader.atEnd {
                let (field, wireType) = try reader.tag()
                guard (1...7).contains(field) else {
                    try reader.skip(wireType)
                    continue
                }
                guard value == nil else { throw GiveUp() }  // a second member: last-wins or merge rules
                switch field {
                case 1:
                    try expect(wireType, 2)
                    value = .string(try reader.string())
                case 2:
                    try expect(wireType, 0)
                    value = .bool(try reader.varint() != 0)
                case 3:
                    try expect(wireType, 0)
                    value = .int(Int64(bitPattern: try reader.varint()))
                case 4:
                    try expect(wireType, 1)
                    value = .double(Double(bitPattern: try reader.fixed64()))
                case 5:
                    try expect(wireType, 2)
                    guard allowArray else { throw GiveUp() }
                    var array = try reader.nested()
                    value = try typedArray(&array)
                default: throw GiveUp()
                }
            }
            return value
        }

        /// ArrayValue: values = 1, all of one primitive type (an empty array is a string array).
        static func typedArray(_ reader: inout WireReader) throws -> AttributeValue {
            var strings: [String] = []
            var ints: [Int64] = []
            var doubles: [Double] = []
            var bools: [Bool] = []
            var first: AttributeValue? = nil
            while !reader.atEnd {
                let (field, wireType) = try reader.tag()
                guard field == 1 else {
                    try reader.skip(wireType)
                    continue
                }
                try expect(wireType, 2)
                var element = try reader.nested()
                guard let value = try anyValue(&element, allowArray: false) else { throw GiveUp() }
                if first == nil { first = value }
                switch (first, value) {
                case (.string?, .string(let v)): strings.append(v)
                case (.int?, .int(let v)): ints.append(v)
                case (.double?, .double(let v)): doubles.append(v)
                case (.bool?, .bool(let v)): bools.append(v)
                default: throw GiveUp()  // mixed: the model stores a rendering
                }
            }
            switch first {
            case .int?: return .intArray(ints)
            case .double?: return .doubleArray(doubles)
            case .bool?: return .boolArray(bools)
            default: return .stringArray(strings)
            }
        }

        static func traceID(_ bytes: UnsafeBufferPointer<UInt8>) -> TraceID? {
            guard bytes.count == 16 else { return nil }
            return TraceID(high: bigEndian(bytes, 0), low: bigEndian(bytes, 8))
        }

        static func spanID(_ bytes: UnsafeBufferPointer<UInt8>) -> SpanID? {
            guard bytes.count == 8 else { return nil }
            return SpanID(bigEndian(bytes, 0))
        }

        private static func bigEndian(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in 0..<8 { value = value << 8 | UInt64(bytes[offset + i]) }
            return value
        }

        static func describe(_ id: UnsafeBufferPointer<UInt8>) -> String {
            if id.isEmpty { return "an empty id" }
            if id.allSatisfy({ $0 == 0 }) { return "all zeros (\(id.count) bytes)" }
            return "\(id.count) bytes"
        }

        /// SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer; else unspecified.
        static func kind(_ raw: Int32) -> SpanKind {
            switch raw {
            case 1: .internal
            case 2: .server
            case 3: .client
            case 4: .producer
            case 5: .consumer
            default: .unspecified
            }
        }

        /// StatusCode: 1 ok, 2 error; else unset.
        static func statusCode(_ raw: Int32) -> SpanStatusCode {
            switch raw {
            case 1: .ok
            case 2: .error
            default: .unset
            }
        }
    }
}

/// What the direct decoder reads beyond the scan's cursor. Anything it cannot take as it is
/// throws, handing the request to the general path.
extension WireReader {
    /// The bounds of a length-delimited field's bytes.
    fileprivate mutating func span() throws -> Range<Int> {
        let nested = try lengthDelimited()
        return nested.position..<nested.end
    }

    fileprivate mutating func nested() throws -> WireReader {
        try lengthDelimited()
    }

    /// A fixed64 field (little-endian).
    fileprivate mutating func fixed64() throws -> UInt64 {
        guard end - position >= 8 else { throw OTLPDirectDecoder.GiveUp() }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(buffer[position + i]) << (8 * UInt64(i)) }
        position += 8
        return value
    }

    /// A string field's value; invalid UTF-8 gives up (SwiftProtobuf rejects it).
    fileprivate mutating func string() throws -> String {
        let range = try span()
        guard let text = String(validating: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self) else {
            throw OTLPDirectDecoder.GiveUp()
        }
        return text
    }

    /// An attribute key: the static string of a well-known key (``InternedKeys``), else a new one.
    fileprivate mutating func key() throws -> String {
        let range = try span()
        let utf8 = UnsafeBufferPointer(rebasing: buffer[range])
        if let known = InternedKeys.string(utf8) { return known }
        guard let text = String(validating: utf8, as: UTF8.self) else { throw OTLPDirectDecoder.GiveUp() }
        return text
    }

    /// Checks a string field this decoder does not keep, as SwiftProtobuf would.
    fileprivate mutating func skipString(_ wireType: UInt64) throws {
        try OTLPDirectDecoder.expect(wireType, 2)
        _ = try string()
    }

    /// Skips a field that is not in the schema (groups give up).
    fileprivate mutating func skip(_ wireType: UInt64) throws {
        guard [0, 1, 2, 5].contains(wireType) else { throw OTLPDirectDecoder.GiveUp() }
        try skip(wireType: wireType, field: 0, depth: 0)
    }

    /// Skips a known scalar field after checking its wire type.
    fileprivate mutating func skipKnown(_ wireType: UInt64, _ expected: UInt64) throws {
        try OTLPDirectDecoder.expect(wireType, expected)
        try skip(wireType)
    }

    /// A trace id (16 bytes) or span id (8 bytes) field's bytes.
    fileprivate func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: buffer[range])
    }
}
