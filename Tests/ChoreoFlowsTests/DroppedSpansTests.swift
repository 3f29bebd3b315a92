import ChoreoModel
import Testing
import ChoreoFlows

/// Flows rebuilt from a span set with 1% of its spans lost at random (seeded): nearly all come
/// out right, and every one that does not says so with a gap.
@Suite("Flows from a lossy span set")
struct DroppedSpansTests {
    /// `count` flows cycling through the settled scenarios, each with its own correlation id and traces.
    static func spans(count: Int) -> [SpanRecord] {
        let scenarios: [Scenario] = [.happy, .declined, .compensated, .retried, .deadLettered]
        var all: [SpanRecord] = []
        for i in 0..<count {
            let mode: SpanScript.TraceMode = i % 2 == 0 ? .single : .perStep
            for var span in scenarios[i % scenarios.count].script(mode).spans {
                span.attributes[MessagingKey.conversationID] = .string("order-\(i)")
                span.traceID = TraceID(high: span.traceID.high ^ UInt64(i + 1) << 32, low: span.traceID.low)
                all.append(span)
            }
        }
        return all
    }

    struct Verdict: Equatable {
        var status: FlowStatus
        var outcome: String?
        var waitingFor: String?
        var types: [String]
        init(_ flow: Flow) {
            status = flow.status
            outcome = flow.outcome
            waitingFor = flow.waitingFor
            types = flow.steps.map(\.type).sorted()
        }
    }

    static func flows(_ spans: [SpanRecord], builder: FlowBuilder, now: UInt64) -> [String: Flow] {
        var byFlow: [String: [SpanRecord]] = [:]
        for span in spans { byFlow[span.string(MessagingKey.conversationID) ?? "", default: []].append(span) }
        var flows: [String: Flow] = [:]
        for (id, spans) in byFlow { flows[id] = builder.build(correlationID: id, spans: spans, now: now) }
        return flows
    }

    @Test("with 1% of spans dropped, at least 99% of flows are still right and every wrong one has gaps", arguments: [UInt64(1), 2, 3])
    func onePercentDropped(seed: UInt64) {
        let builder = FlowBuilder(options: FlowOptions(terminalTypes: ["OrderCompleted", "OrderCancelled"]))
        let now = SpanScript.nanos(3_600_000)
        let all = Self.spans(count: 2_000)
        var rng = SplitMix64(seed: seed)
        var kept: [SpanRecord] = []
        var dropped: [SpanRecord] = []
        for span in all {
            if rng.next() % 10_000 < 100 { dropped.append(span) } else { kept.append(span) }
        }
        // A message every span of which was lost, and whose handling published nothing, leaves
        // no trace at all: no reconstruction can see it. Such flows may be wrong without a gap.
        let keptMessages = Set(kept.compactMap { span in span.messageID.map { "\(span.string(MessagingKey.conversationID) ?? "")/\($0)" } })
        let vanished = Set(
            dropped.compactMap { span -> String? in
                guard let id = span.messageID, let flow = span.string(MessagingKey.conversationID) else { return nil }
                return keptMessages.contains("\(flow)/\(id)") ? nil : flow
            })
        #expect(all.count - kept.count > all.count / 200, "about 1% dropped")
        let truth = Self.flows(all, builder: builder, now: now)
        let lossy = Self.flows(kept, builder: builder, now: now)
        var wrong: [String] = []
        var silentlyWrong: [String] = []
        for (id, expected) in truth {
            guard let flow = lossy[id] else {
                wrong.append(id)
                silentlyWrong.append(id)
                continue
            }
            if Verdict(flow) != Verdict(expected) {
                wrong.append(id)
                if flow.gaps == 0 && !vanished.contains(id) {
                    silentlyWrong.append("\(id): \(Verdict(flow)) vs \(Verdict(expected))")
                }
            }
        }
        #expect(Double(truth.count - wrong.count) / Double(truth.count) >= 0.99, "\(wrong.count) of \(truth.count) wrong")
        #expect(silentlyWrong.isEmpty, "wrong without a gap: \(silentlyWrong.sorted())")
    }
}
