import ChoreoModel

/// Spans shaped like the instrumentation's: flows of five messages, each a PRODUCER span
/// `send {topic}` and a CONSUMER span `process {topic}` linked to it, with the messaging and
/// `choreo.*` attributes `TracedBus` records. Half the flows are happy orders, half are
/// compensated ones (a refund). Ids come from a seeded generator: every run sends the same spans.
struct Workload: Sendable {
    /// The spans, cut into request-sized batches.
    let batches: [[SpanRecord]]

    var spanCount: Int { batches.reduce(0) { $0 + $1.count } }

    static let happy: [(type: String, publisher: String, consumer: String, compensates: Int?)] = [
        ("OrderPlaced", "checkout", "order", nil),
        ("PaymentReceived", "payment", "order", nil),
        ("GoodsReserved", "inventory", "order", nil),
        ("ShipmentDispatched", "shipment", "order", nil),
        ("OrderCompleted", "order", "notification", nil),
    ]
    static let compensated: [(type: String, publisher: String, consumer: String, compensates: Int?)] = [
        ("OrderPlaced", "checkout", "order", nil),
        ("PaymentReceived", "payment", "order", nil),
        ("GoodsUnavailable", "inventory", "order", nil),
        ("RefundPayment", "order", "payment", 1),
        ("OrderCancelled", "order", "notification", nil),
    ]

    /// `batchCount` batches of `batchSize` spans (flows may straddle two batches, as in real exports).
    init(batchCount: Int, batchSize: Int, seed: UInt64 = 0x5EED) {
        var random = SplitMix64(seed: seed)
        var spans: [SpanRecord] = []
        let total = batchCount * batchSize
        spans.reserveCapacity(total + 10)
        var flow = 0
        let t0: UInt64 = 1_800_000_000_000_000_000
        while spans.count < total {
            let steps = flow % 2 == 0 ? Self.happy : Self.compensated
            let trace = TraceID(high: random.next(), low: random.next())
            let order = "order-\(flow)"
            var previous: (id: String, span: UInt64)?
            var ids: [String] = []
            for (i, step) in steps.enumerated() {
                let at = t0 + UInt64(flow) * 10_000_000 + UInt64(i) * 1_000_000
                let id = "\(order)-m\(i + 1)"
                ids.append(id)
                let producer = random.next() | 1
                let consumer = random.next() | 1
                var common: [String: AttributeValue] = [
                    MessagingKey.system: .string("choreo"),
                    MessagingKey.destinationName: .string(step.type),
                    MessagingKey.messageID: .string(id),
                    MessagingKey.conversationID: .string(order),
                    MessagingKey.bodySize: .int(256),
                    ChoreoKey.eventType: .string(step.type),
                    ChoreoKey.source: .string(step.publisher),
                ]
                if let cause = previous?.id { common[ChoreoKey.causationID] = .string(cause) }
                if let undone = step.compensates { common[ChoreoKey.compensates] = .string(ids[undone]) }
                var send = common
                send[MessagingKey.operationType] = .string(MessagingOperation.send)
                send[MessagingKey.operationName] = .string("publish")
                send[MessagingKey.serviceName] = .string(step.publisher)
                spans.append(
                    SpanRecord(
                        traceID: trace, spanID: SpanID(producer), parentSpanID: previous.map { SpanID($0.span) },
                        name: "send \(step.type)", kind: .producer, startTimeUnixNano: at, endTimeUnixNano: at + 40_000,
                        attributes: send, serviceName: step.publisher, scopeName: "ChoreoTracer"
                    ))
                var process = common
                process[MessagingKey.operationType] = .string(MessagingOperation.process)
                process[MessagingKey.operationName] = .string("process")
                process[MessagingKey.consumerGroup] = .string(step.consumer)
                process[MessagingKey.serviceName] = .string(step.consumer)
                process[ChoreoKey.deliveryAttempt] = .int(1)
                process[ChoreoKey.deliveryOutcome] = .string(DeliveryOutcome.handled.rawValue)
                spans.append(
                    SpanRecord(
                        traceID: trace, spanID: SpanID(consumer), parentSpanID: SpanID(producer),
                        name: "process \(step.type)", kind: .consumer,
                        startTimeUnixNano: at + 100_000, endTimeUnixNano: at + 600_000, attributes: process,
                        links: [SpanLink(traceID: trace, spanID: SpanID(producer))],
                        serviceName: step.consumer, scopeName: "ChoreoTracer"
                    ))
                previous = (id, consumer)
            }
            flow += 1
        }
        spans.removeLast(spans.count - total)
        batches = stride(from: 0, to: total, by: batchSize).map { Array(spans[$0..<min($0 + batchSize, total)]) }
    }
}
