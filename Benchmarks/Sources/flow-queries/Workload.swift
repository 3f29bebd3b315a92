import ChoreoFlows
import ChoreoModel
import ChoreoStore

/// Synthetic flows for the flow-query benchmarks, shaped like order-fulfilment's.
enum Workload {
    static let base: UInt64 = 1_800_000_000_000_000_000
    static let variants: [[String]] = [
        ["OrderPlaced", "RetrievePayment", "PaymentReceived", "FetchGoods", "GoodsFetched", "ShipGoods", "GoodsShipped", "OrderCompleted"],
        ["OrderPlaced", "RetrievePayment", "PaymentReceived", "FetchGoods", "GoodsUnavailable", "RefundPayment", "PaymentRefunded", "OrderCancelled"],
        ["OrderPlaced", "RetrievePayment", "PaymentDeclined"],
    ]

    /// The spans of one flow: a causal chain of `types`, each published then handled once.
    static func spans(correlationID: String, types: [String], startNanos: UInt64, trace: UInt64) -> [SpanRecord] {
        var spans: [SpanRecord] = []
        spans.reserveCapacity(types.count * 2)
        let traceID = TraceID(high: 0xF10, low: trace)
        for (i, type) in types.enumerated() {
            let at = startNanos + UInt64(i) * 2_000_000
            var attributes: [String: AttributeValue] = [
                MessagingKey.system: .string("memory"), MessagingKey.messageID: .string("\(correlationID)-m\(i)"),
                MessagingKey.conversationID: .string(correlationID), MessagingKey.destinationName: .string(type),
                ChoreoKey.eventType: .string(type), ChoreoKey.source: .string("svc\(i % 5)"),
                MessagingKey.operationType: .string(MessagingOperation.send),
            ]
            if i > 0 { attributes[ChoreoKey.causationID] = .string("\(correlationID)-m\(i - 1)") }
            let producer = SpanID(UInt64(i * 2 + 1))
            spans.append(SpanRecord(traceID: traceID, spanID: producer, name: "send \(type)", kind: .producer,
                                    startTimeUnixNano: at, endTimeUnixNano: at + 100_000, attributes: attributes, serviceName: "svc\(i % 5)"))
            attributes[MessagingKey.operationType] = .string(MessagingOperation.process)
            attributes[MessagingKey.consumerGroup] = .string("svc\((i + 1) % 5)")
            attributes[ChoreoKey.deliveryAttempt] = .int(1)
            attributes[ChoreoKey.deliveryOutcome] = .string(DeliveryOutcome.handled.rawValue)
            spans.append(SpanRecord(traceID: traceID, spanID: SpanID(UInt64(i * 2 + 2)), parentSpanID: producer, name: "process \(type)",
                                    kind: .consumer, startTimeUnixNano: at + 500_000, endTimeUnixNano: at + 1_500_000,
                                    attributes: attributes, links: [SpanLink(traceID: traceID, spanID: producer)],
                                    serviceName: "svc\((i + 1) % 5)"))
        }
        return spans
    }

    /// An index entry (summary and trail) without spans, for filling the index with many flows.
    static func indexEntry(_ n: Int) -> IndexedFlow {
        let types = variants[n % variants.count]
        let start = base + UInt64(n) * 1_000_000
        let status: FlowStatus = n % 100 == 7 ? .stuck : (n % 3 == 2 ? .completed : (n % 3 == 1 ? .compensated : .completed))
        let summary = FlowSummary(
            correlationID: "bulk-\(n)", status: status, outcome: status == .stuck ? nil : types.last,
            startedAtUnixNano: start, lastActivityAtUnixNano: start + UInt64(types.count) * 2_000_000,
            stepCount: types.count, compensationCount: 0, errorCount: 0,
            waitingFor: status == .stuck ? types.last : nil, services: ["svc0", "svc1", "svc2"], types: Array(types.prefix(3))
        )
        let trail = types.enumerated().map { i, type in
            FlowTrail.Step(type: type, service: "svc\(i % 5)", publishedAtUnixNano: start + UInt64(i) * 2_000_000)
        }
        return IndexedFlow(summary: summary, trail: trail)
    }
}
