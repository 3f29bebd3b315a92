import ChoreoModel

/// Realistic spans for the codec tests: a publish and its consumption, linked.
enum Fixtures {
    static let traceID = TraceID(high: 0x5B8E_FFF7_9803_8103, low: 0xD269_B633_813F_C60C)
    static let producerID = SpanID(0xEEE1_9B7E_C3C1_B174)
    static let consumerID = SpanID(0x0102_0304_0506_0708)
    static let start: UInt64 = 1_795_305_341_123_456_789

    static let allAttributeTypes: [String: AttributeValue] = [
        "s": .string("text with \"quotes\" and ünïcode ✓"),
        "i": .int(-42),
        "i.max": .int(.max),
        "d": .double(3.25),
        "b": .bool(true),
        "sa": .stringArray(["a", "", "c"]),
        "ia": .intArray([1, -2, .min]),
        "da": .doubleArray([0.5, -1e300]),
        "ba": .boolArray([true, false]),
        "empty": .stringArray([]),
    ]

    static var producer: SpanRecord {
        SpanRecord(
            traceID: traceID, spanID: producerID, parentSpanID: SpanID(0xAAAA),
            traceState: "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7",
            name: "send orders", kind: .producer,
            startTimeUnixNano: start, endTimeUnixNano: start + 1_500_000,
            attributes: allAttributeTypes.merging([
                MessagingKey.system: .string("memory"),
                MessagingKey.destinationName: .string("orders"),
                MessagingKey.operationType: .string(MessagingOperation.send),
                MessagingKey.messageID: .string("m-1"),
                MessagingKey.conversationID: .string("order-42"),
                ChoreoKey.eventType: .string("OrderPlaced"),
            ]) { a, _ in a },
            statusCode: .ok,
            serviceName: "checkout",
            resourceAttributes: ["host.name": .string("h1"), "process.pid": .int(4242)],
            scopeName: "choreo.instrumentation"
        )
    }

    static var consumer: SpanRecord {
        SpanRecord(
            traceID: traceID, spanID: consumerID, parentSpanID: producerID,
            name: "process orders", kind: .consumer,
            startTimeUnixNano: start + 2_000_000, endTimeUnixNano: start + 9_000_000,
            attributes: [
                MessagingKey.operationType: .string(MessagingOperation.process),
                ChoreoKey.deliveryAttempt: .int(2),
                ChoreoKey.deliveryOutcome: .string(DeliveryOutcome.retry.rawValue),
            ],
            events: [
                SpanEvent(
                    name: "exception", timeUnixNano: start + 3_000_000,
                    attributes: ["exception.type": .string("Timeout"), "exception.escaped": .bool(false)]),
                SpanEvent(name: "retry", timeUnixNano: start + 4_000_000),
            ],
            links: [
                SpanLink(traceID: traceID, spanID: producerID, attributes: ["link.kind": .string("producer"), "n": .intArray([1])]),
                SpanLink(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3)),
            ],
            statusCode: .error, statusMessage: "handler timed out",
            serviceName: "order",
            resourceAttributes: ["host.name": .string("h1")],
            scopeName: "choreo.instrumentation"
        )
    }

    /// Many spans across services and scopes, for grouping and volume tests.
    static func many(_ count: Int, seed: UInt64) -> [SpanRecord] {
        var rng = SplitMix64(seed: seed)
        let services = ["checkout", "order", "payment", "inventory"]
        return (0..<count).map { i in
            SpanRecord(
                traceID: TraceID(high: rng.next() | 1, low: rng.next()), spanID: SpanID(rng.next() | 1),
                parentSpanID: i % 3 == 0 ? nil : SpanID(rng.next() | 1),
                name: "span \(i)", kind: SpanKind.allCases[i % SpanKind.allCases.count],
                startTimeUnixNano: start + UInt64(i), endTimeUnixNano: start + UInt64(i) + 1000,
                attributes: ["i": .int(Int64(i)), "k": .string("v\(i % 7)")],
                serviceName: services[i % services.count],
                resourceAttributes: i % 2 == 0 ? [:] : ["zone": .string("b")],
                scopeName: i % 5 == 0 ? nil : "scope\(i % 2)"
            )
        }
    }
}
