import ChoreoModel
import ChoreoStore
import Testing

@Suite("SpanRecord binary codec")
struct SpanBinaryCodecTests {
    static let everyAttribute: [String: AttributeValue] = [
        "s": .string("héllo, wörld ✓"), "empty": .string(""), "i": .int(-42), "max": .int(.max), "min": .int(.min),
        "d": .double(3.25), "negativeZero": .double(-0.0), "b": .bool(true), "f": .bool(false),
        "sa": .stringArray(["a", "", "ü"]), "ia": .intArray([1, -2, .max]), "da": .doubleArray([0.5, -1e300]),
        "ba": .boolArray([true, false]), "none": .stringArray([]),
    ]

    static let full = SpanRecord(
        traceID: TraceID(high: .max, low: 1), spanID: SpanID(0xDEAD_BEEF), parentSpanID: SpanID(7),
        traceState: "vendor=x", name: "process payments", kind: .consumer,
        startTimeUnixNano: 1_700_000_000_123_456_789, endTimeUnixNano: 1_700_000_001_000_000_001,
        attributes: everyAttribute,
        events: [
            SpanEvent(name: "exception", timeUnixNano: 1_700_000_000_500_000_000, attributes: ["exception.message": .string("boom")]),
            SpanEvent(name: "empty", timeUnixNano: 0),
        ],
        links: [
            SpanLink(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), attributes: everyAttribute),
            SpanLink(traceID: TraceID(high: 4, low: 5), spanID: SpanID(6)),
        ],
        statusCode: .error, statusMessage: "card declined", serviceName: "payment",
        resourceAttributes: ["host.name": .string("box"), "pid": .int(1234)], scopeName: "choreo"
    )

    static let minimal = SpanRecord(
        traceID: TraceID(high: 0, low: 1), spanID: SpanID(1), name: "", kind: .unspecified,
        startTimeUnixNano: 0, endTimeUnixNano: 0, statusCode: .ok, serviceName: ""
    )

    @Test("a span survives encoding and decoding", arguments: [full, minimal])
    func roundTrip(_ span: SpanRecord) throws {
        let decoded = try SpanRecord(binaryEncoded: span.binaryEncoded)
        #expect(decoded == span)
        #expect(decoded.parentSpanID == span.parentSpanID && decoded.scopeName == span.scopeName)
    }

    @Test("every span kind and status survives", arguments: SpanKind.allCases)
    func kinds(_ kind: SpanKind) throws {
        for status in [SpanStatusCode.unset, .ok, .error] {
            var span = Self.minimal
            span.kind = kind
            span.statusCode = status
            #expect(try SpanRecord(binaryEncoded: span.binaryEncoded) == span)
        }
    }

    @Test("well-known keys are stored as short codes and unknown keys as text, both round trip")
    func keys() throws {
        let known = [
            MessagingKey.system, MessagingKey.destinationName, MessagingKey.operationType, MessagingKey.operationName,
            MessagingKey.messageID, MessagingKey.conversationID, MessagingKey.consumerGroup, MessagingKey.bodySize,
            MessagingKey.errorType, MessagingKey.serviceName, ChoreoKey.eventType, ChoreoKey.causationID,
            ChoreoKey.compensates, ChoreoKey.source, ChoreoKey.deliveryAttempt, ChoreoKey.deliveryOutcome,
            "host.name", "exception.message", "server.port",
        ]
        var span = Self.minimal
        for key in known { span.attributes[key] = .string("v") }
        let knownSize = span.binaryEncoded.count
        for key in known { span.attributes["x." + key] = .string("v") }
        #expect(try SpanRecord(binaryEncoded: span.binaryEncoded) == span)
        let textBytes = known.reduce(0) { $0 + $1.utf8.count }
        // Per entry: key code, type tag, value length, "v".
        #expect(knownSize == Self.minimal.binaryEncoded.count + known.count * 4, "a known key costs one byte")
        #expect(span.binaryEncoded.count > knownSize + textBytes, "an unknown key is stored as text")
    }

    @Test("truncated or extended bytes are a corrupt record, never a crash")
    func corrupt() throws {
        let bytes = Self.full.binaryEncoded
        for length in stride(from: 0, to: bytes.count, by: 7) {
            let error = try #require(throws: StoreError.self) { try SpanRecord(binaryEncoded: Array(bytes.prefix(length))) }
            #expect(error.code == .corruptRecord)
        }
        #expect(throws: StoreError.self) { try SpanRecord(binaryEncoded: bytes + [0]) }
        var badVersion = bytes
        badVersion[0] = 99
        #expect(throws: StoreError.self) { try SpanRecord(binaryEncoded: badVersion) }
    }

    @Test("a stored span comes back whole from SQLite")
    func throughStore() async throws {
        let subject = try StoreKind.sqlite.make()
        var span = Self.full
        span.attributes[MessagingKey.conversationID] = .string("order-9")
        try await subject.store.append([span, Self.minimal])
        #expect(try await subject.store.spans(correlationID: "order-9") == [span])
        #expect(try await subject.store.spans(traceID: Self.minimal.traceID) == [Self.minimal])
        await subject.dispose()
    }
}
