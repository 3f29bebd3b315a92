import ChoreoModel
import Testing

/// `MessagingAttributes` reads a span's attributes in one walk; every answer must equal the
/// `MessagingConventions` function it stands for, whatever keys and values the span has.
@Suite("MessagingAttributes")
struct MessagingAttributesTests {
    /// Every key the conventions read, and decoys: unknown keys of the same UTF-8 lengths (a walk
    /// that compared lengths only would take them), a case variant, and a custom type attribute.
    static let keys: [String] =
        [
            MessagingKey.conversationID, MessagingConventions.legacyConversationID, MessagingKey.messageID,
            MessagingConventions.legacyMessageID, MessagingConventions.CloudEvents.eventID, MessagingKey.operationType,
            MessagingConventions.legacyOperation, MessagingKey.destinationName, MessagingConventions.legacyDestination,
            ChoreoKey.eventType, MessagingConventions.CloudEvents.eventType, MessagingConventions.CloudEvents.eventSource,
            ChoreoKey.causationID, ChoreoKey.compensates, ChoreoKey.source, MessagingKey.consumerGroup,
            ChoreoKey.deliveryAttempt, ChoreoKey.deliveryOutcome, MessagingKey.errorType, MessagingKey.system,
            "messaging.message.iX", "choreo.event_typE", "Messaging.system", "order.kind", "x",
        ] + MessagingConventions.rabbitMQRoutingKeys + MessagingConventions.legacyKafkaConsumerGroups

    static let values: [AttributeValue] = [
        .string("order-1"), .string(""), .string("send"), .string("receive"), .string("process"), .string("settle"),
        .string("publish"), .string("bogus"), .string("handled"), .string("retry"), .int(3), .bool(true),
        .double(1.5), .stringArray(["a"]), .intArray([1]),
    ]

    @Test("every answer equals MessagingConventions' on 5,000 random attribute sets")
    func equalsConventions() {
        var random = SplitMix64(seed: 0xA77)
        let kinds: [SpanKind] = [.producer, .consumer, .internal, .client, .server]
        for _ in 0..<5_000 {
            var attributes: [String: AttributeValue] = [:]
            for _ in 0..<Int(random.next() % 14) {
                let key = Self.keys[Int(random.next() % UInt64(Self.keys.count))]
                attributes[key] = Self.values[Int(random.next() % UInt64(Self.values.count))]
            }
            let kind = kinds[Int(random.next() % UInt64(kinds.count))]
            let span = SpanRecord(
                traceID: TraceID(high: random.next(), low: random.next()), spanID: SpanID(random.next() | 1), parentSpanID: nil,
                name: "s", kind: kind, startTimeUnixNano: 1, endTimeUnixNano: 2, attributes: attributes, serviceName: "svc")
            let read = MessagingAttributes(attributes)
            let context = Comment(rawValue: "\(kind) \(attributes)")
            #expect(read.correlationID(kind: kind, traceID: span.traceID) == MessagingConventions.correlationID(of: span), context)
            #expect(read.messageID == MessagingConventions.messageID(attributes), context)
            #expect(read.role(kind: kind) == MessagingConventions.role(attributes, kind: kind), context)
            #expect(read.isReceive == MessagingConventions.isReceive(attributes), context)
            #expect(read.destination == MessagingConventions.destination(attributes), context)
            for typeAttribute in [nil, "order.kind", ChoreoKey.eventType] {
                #expect(
                    read.eventType(typeAttribute: typeAttribute) == MessagingConventions.eventType(attributes, typeAttribute: typeAttribute),
                    context)
            }
            #expect(read.consumerGroup == MessagingConventions.consumerGroup(attributes), context)
            #expect(read.causationID == Self.nonEmpty(attributes[ChoreoKey.causationID]), context)
            #expect(read.compensates == Self.nonEmpty(attributes[ChoreoKey.compensates]), context)
            #expect(read.source == Self.nonEmpty(attributes[ChoreoKey.source]), context)
            #expect(read.cloudEventSource == Self.nonEmpty(attributes[MessagingConventions.CloudEvents.eventSource]), context)
            #expect(read.errorType == Self.nonEmpty(attributes[MessagingKey.errorType]), context)
            #expect(read.deliveryAttempt == attributes[ChoreoKey.deliveryAttempt]?.intValue, context)
            #expect(read.deliveryOutcome == attributes[ChoreoKey.deliveryOutcome]?.stringValue, context)
        }
    }

    @Test("a span of the current conventions is read whole")
    func currentConventions() {
        let attributes: [String: AttributeValue] = [
            MessagingKey.messageID: .string("m-2"), MessagingKey.conversationID: .string("order-7"),
            MessagingKey.operationType: .string("process"), MessagingKey.destinationName: .string("payments"),
            ChoreoKey.eventType: .string("PaymentReceived"), ChoreoKey.causationID: .string("m-1"),
            MessagingKey.consumerGroup: .string("order"), ChoreoKey.deliveryAttempt: .int(2),
            ChoreoKey.deliveryOutcome: .string("retry"), MessagingKey.system: .string("rabbitmq"),
        ]
        let read = MessagingAttributes(attributes)
        #expect(read.messageID == "m-2")
        #expect(read.correlationID(kind: .consumer, traceID: TraceID(high: 1, low: 2)) == "order-7")
        #expect(read.role(kind: .consumer) == .consume)
        #expect(read.destination == "payments")
        #expect(read.eventType(typeAttribute: nil) == "PaymentReceived")
        #expect(read.causationID == "m-1")
        #expect(read.consumerGroup == "order")
        #expect(read.deliveryAttempt == 2)
        #expect(read.deliveryOutcome == "retry")
        #expect(read.compensates == nil)
    }

    static func nonEmpty(_ value: AttributeValue?) -> String? {
        guard case .string(let string)? = value, !string.isEmpty else { return nil }
        return string
    }
}
