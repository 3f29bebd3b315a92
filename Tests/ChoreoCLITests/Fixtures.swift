import ChoreoFlows
import ChoreoModel

/// Builders for the models the renderers take.
enum Fixtures {
    /// 2026-05-01T12:00:00Z in Unix nanoseconds.
    static let t0: UInt64 = UnixTime.parseRFC3339("2026-05-01T12:00:00Z")!

    static func ms(_ n: UInt64) -> UInt64 { t0 + n * 1_000_000 }

    static func summary(
        _ id: String, _ status: FlowStatus, outcome: String? = nil, steps: Int = 3,
        comp: Int = 0, err: Int = 0
    ) -> FlowSummary {
        FlowSummary(
            correlationID: id, status: status, outcome: outcome, startedAtUnixNano: t0,
            lastActivityAtUnixNano: ms(1500), stepCount: steps, compensationCount: comp, errorCount: err,
            waitingFor: nil, services: ["order", "payment"], types: ["OrderPlaced"]
        )
    }

    static func step(
        _ id: String, _ type: String, from source: String, causedBy cause: String? = nil,
        compensates: String? = nil, at offset: UInt64, deliveries: [FlowDelivery] = []
    ) -> FlowStep {
        FlowStep(
            messageID: id, type: type, source: source, causationID: cause, compensates: compensates,
            publishedAtUnixNano: ms(offset), topic: type.lowercased(), deliveries: deliveries
        )
    }

    static func delivery(
        _ consumer: String, _ outcome: DeliveryOutcome, attempts: Int = 1,
        failed: Int = 0, error: String? = nil
    ) -> FlowDelivery {
        FlowDelivery(
            consumer: consumer, attempts: attempts, outcome: outcome, error: error,
            firstStartedAtUnixNano: t0, lastEndedAtUnixNano: ms(10), failedAttempts: failed
        )
    }

    static func flow(
        _ steps: [FlowStep], status: FlowStatus = .completed, outcome: String? = "OrderCompleted",
        gaps: Int = 0
    ) -> Flow {
        Flow(
            correlationID: "order-42", status: status, outcome: outcome,
            traceIDs: [traceID], startedAtUnixNano: t0, endedAtUnixNano: ms(1234), steps: steps,
            waitingFor: nil, gaps: gaps
        )
    }

    static let traceID = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!

    static func span(
        _ id: UInt64, parent: UInt64? = nil, _ name: String, service: String = "svc",
        kind: SpanKind = .internal, start: UInt64, end: UInt64,
        attributes: [String: AttributeValue] = [:], status: SpanStatusCode = .unset,
        message: String? = nil
    ) -> SpanRecord {
        SpanRecord(
            traceID: traceID, spanID: SpanID(id), parentSpanID: parent.map(SpanID.init), name: name, kind: kind,
            startTimeUnixNano: ms(start), endTimeUnixNano: ms(end), attributes: attributes,
            statusCode: status, statusMessage: message, serviceName: service
        )
    }

    /// The lines of `text` with the given substring; fails the caller's expectation when absent.
    static func line(containing needle: String, in text: String) -> String? {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).first { $0.contains(needle) }
    }

    /// The number of leading characters before the first non-tree character.
    static func indent(of line: String) -> Int {
        line.prefix { " │├└─".contains($0) }.count
    }
}
