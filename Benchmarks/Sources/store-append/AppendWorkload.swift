import ChoreoModel

/// Realistic messaging spans for the store: a producer and a consumer per message, 20 messages
/// per flow, with the attributes `TracedBus` records. The same count gives the same spans.
enum AppendWorkload {
    static func spans(_ count: Int) -> [SpanRecord] {
        (0..<count).map { i in
            let flow = i / 40, message = i / 2, consumer = i % 2 == 1
            let start = 1_700_000_000_000_000_000 + UInt64(i) * 1_000_000
            return SpanRecord(
                traceID: TraceID(high: UInt64(flow) &* 0x9E37_79B9_7F4A_7C15, low: UInt64(flow)),
                spanID: SpanID(UInt64(i + 1) &* 0xBF58_476D_1CE4_E5B9),
                parentSpanID: consumer ? SpanID(UInt64(i) &* 0xBF58_476D_1CE4_E5B9) : nil,
                name: consumer ? "process payments" : "send payments", kind: consumer ? .consumer : .producer,
                startTimeUnixNano: start, endTimeUnixNano: start + 750_000,
                attributes: attributes(flow: flow, message: message, consumer: consumer),
                links: consumer ? [SpanLink(traceID: TraceID(high: 1, low: UInt64(flow)), spanID: SpanID(UInt64(i)))] : [],
                serviceName: consumer ? "inventory" : "payment",
                resourceAttributes: ["host.name": .string("node-1"), "process.pid": .int(4242)], scopeName: "choreo"
            )
        }
    }

    private static func attributes(flow: Int, message: Int, consumer: Bool) -> [String: AttributeValue] {
        var attributes: [String: AttributeValue] = [
            MessagingKey.system: .string("memory"),
            MessagingKey.destinationName: .string("payments"),
            MessagingKey.operationType: .string(consumer ? MessagingOperation.process : MessagingOperation.send),
            MessagingKey.operationName: .string(consumer ? "process" : "send"),
            MessagingKey.messageID: .string("9b2f6c1e-\(message)-4f0a-8c55-msg"),
            MessagingKey.conversationID: .string("order-\(flow)"),
            MessagingKey.bodySize: .int(412),
            ChoreoKey.eventType: .string("PaymentReceived"),
            ChoreoKey.source: .string("payment"),
            ChoreoKey.causationID: .string("9b2f6c1e-\(message - 1)-4f0a-8c55-msg"),
        ]
        if consumer {
            attributes[MessagingKey.consumerGroup] = .string("inventory")
            attributes[ChoreoKey.deliveryAttempt] = .int(1)
            attributes[ChoreoKey.deliveryOutcome] = .string("handled")
        }
        return attributes
    }
}
