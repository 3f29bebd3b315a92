import ChoreoModel
import Foundation
import Testing

@testable import ChoreoFlows

/// The direct JSON writer (``Flow/jsonBytes(page:)``) gives the same bytes as `JSONEncoder`
/// with sorted keys and unescaped slashes (what the collector answered before it), on many
/// random flows: every optional nil and present, escapes, control characters, non-ASCII text,
/// negative and fractional milliseconds, deviations with and without a message id, and pages.
@Suite struct FlowJSONWriterTests {
    /// SplitMix64: the same flows on every run.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Text that needs every kind of escape JSON has, and some that needs none.
    static let pieces = [
        "ItemReserved", "order-42", "a/b", "quote\"d", "back\\slash", "new\nline", "tab\t", "cr\r", "\u{8}bs", "ff\u{c}",
        "nul\u{0}", "\u{1}\u{1f}", "del\u{7f}", "é", "日本語", "😀", "\u{2028}\u{2029}", "", " ", "<>&'",
    ]

    static func text(_ r: inout Seeded) -> String {
        (0..<Int.random(in: 0...3, using: &r)).map { _ in pieces.randomElement(using: &r)! }.joined()
    }

    static func optionalText(_ r: inout Seeded) -> String? { Bool.random(using: &r) ? text(&r) : nil }

    static func nanos(_ r: inout Seeded) -> UInt64 {
        switch Int.random(in: 0..<4, using: &r) {
        case 0: return 0
        case 1: return UInt64.random(in: 0..<5_000, using: &r)  // sub-millisecond: 1e-06 ms and the like
        case 2: return 1_700_000_000_000_000_000 + UInt64.random(in: 0..<100_000_000_000, using: &r)
        default: return UInt64.random(in: 0..<UInt64(Int64.max), using: &r)
        }
    }

    static func signed(_ r: inout Seeded) -> Int64 {
        switch Int.random(in: 0..<4, using: &r) {
        case 0: return 0
        case 1: return Int64.random(in: -5_000...5_000, using: &r)
        case 2: return Int64.random(in: -10_000_000_000...10_000_000_000, using: &r)
        default: return Int64.random(in: Int64.min / 2...Int64.max / 2, using: &r)
        }
    }

    static func flow(_ r: inout Seeded, steps: Int) -> Flow {
        func strings() -> [String] { (0..<Int.random(in: 0...2, using: &r)).map { _ in text(&r) } }
        let stepList = (0..<steps).map { _ in
            FlowStep(
                messageID: text(&r), type: text(&r), source: text(&r), causationID: optionalText(&r), compensates: optionalText(&r),
                publishedAtUnixNano: nanos(&r), topic: optionalText(&r),
                traceID: Bool.random(using: &r) ? TraceID(high: r.next(), low: r.next()) : nil,
                spanID: Bool.random(using: &r) ? SpanID(r.next()) : nil,
                deliveries: (0..<Int.random(in: 0...2, using: &r)).map { _ in
                    FlowDelivery(
                        consumer: text(&r), attempts: Int.random(in: 0...5, using: &r), outcome: DeliveryOutcome.allCases.randomElement(using: &r)!,
                        error: optionalText(&r), firstStartedAtUnixNano: nanos(&r), lastEndedAtUnixNano: nanos(&r),
                        failedAttempts: Int.random(in: 0...3, using: &r), service: optionalText(&r),
                        queueTimeNanos: Bool.random(using: &r) ? nanos(&r) : nil, handlingTimeNanos: nanos(&r),
                        attemptLog: (0..<Int.random(in: 0...2, using: &r)).map { i in
                            FlowAttempt(
                                attempt: i + 1, startedAtUnixNano: nanos(&r), endedAtUnixNano: nanos(&r),
                                outcome: DeliveryOutcome.allCases.randomElement(using: &r)!, error: optionalText(&r))
                        },
                        adjustedByNanos: signed(&r), timeUncertain: Bool.random(using: &r))
                },
                compensation: [nil, .marked, .declared].randomElement(using: &r)!, compensatedBy: optionalText(&r),
                adjustedByNanos: signed(&r), timeUncertain: Bool.random(using: &r))
        }
        return Flow(
            correlationID: text(&r), status: FlowStatus.allCases.randomElement(using: &r)!, outcome: optionalText(&r),
            traceIDs: (0..<Int.random(in: 0...3, using: &r)).map { _ in TraceID(high: r.next(), low: r.next()) },
            startedAtUnixNano: nanos(&r), endedAtUnixNano: nanos(&r), steps: stepList, waitingFor: optionalText(&r),
            gaps: Int.random(in: 0...1_000_000, using: &r),
            findings: FlowFindings(
                unconsumed: strings(), deadLettered: strings(), duplicatesIgnored: Int.random(in: 0...9, using: &r), gapIDs: strings(),
                unseenDeliveries: strings(), unseenRetries: strings(), uncompensated: strings(),
                deviations: (0..<Int.random(in: 0...2, using: &r)).map { _ in
                    FlowDeviation(
                        kind: FlowDeviation.Kind.allCases.randomElement(using: &r)!, type: text(&r), messageID: optionalText(&r),
                        detail: text(&r))
                }),
            rawStartedAtUnixNano: nanos(&r), rawEndedAtUnixNano: nanos(&r))
    }

    /// What the collector encoded before: `JSONEncoder`, sorted keys, slashes unescaped.
    static func encoded(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// The page the collector encoded before (its `StepPage`): the flow with its steps sliced,
    /// plus `steps_total` and `steps_from`, all in one object.
    struct Page: Encodable {
        var flow: Flow
        var total: Int
        var from: Int

        init(flow: Flow, from: Int, limit: Int?) {
            let total = flow.steps.count
            self.total = total
            let start = min(from, total)
            let end = limit.map { start + min($0, total - start) } ?? total
            var sliced = flow
            sliced.steps = Array(flow.steps[start..<end])
            self.flow = sliced
            self.from = start
        }

        enum CodingKeys: String, CodingKey {
            case total = "steps_total"
            case from = "steps_from"
        }

        func encode(to encoder: any Encoder) throws {
            try flow.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(total, forKey: .total)
            try c.encode(from, forKey: .from)
        }
    }

    @Test func sameBytesAsJSONEncoderOnManyFlows() throws {
        var r = Seeded(state: 17)
        for round in 0..<400 {
            let flow = Self.flow(&r, steps: Int.random(in: 0...6, using: &r))
            let expected = try Self.encoded(flow)
            let written = flow.jsonBytes()
            let same = written == expected
            #expect(
                same,
                "flow \(round):\n\(String(decoding: written, as: UTF8.self))\n!=\n\(String(decoding: expected, as: UTF8.self))")
            if !same { return }
        }
    }

    @Test func pagesAreTheSameBytesAsTheSlicedFlow() throws {
        var r = Seeded(state: 1717)
        for _ in 0..<100 {
            let flow = Self.flow(&r, steps: Int.random(in: 0...8, using: &r))
            let from = Int.random(in: 0...10, using: &r)
            let limit = Bool.random(using: &r) ? Int.random(in: 1...10, using: &r) : nil
            let expected = try Self.encoded(Page(flow: flow, from: from, limit: limit))
            let written = flow.jsonBytes(page: (from: from, limit: limit))
            let same = written == expected
            #expect(same, "\(String(decoding: written, as: UTF8.self))\n!=\n\(String(decoding: expected, as: UTF8.self))")
            if !same { return }
        }
    }

    @Test func writtenFlowsDecodeBackToTheSameFlow() throws {
        // Times with millisecond precision and no attempts survive the JSON round trip whole.
        var r = Seeded(state: 99)
        var flow = Self.flow(&r, steps: 5)
        flow.steps = flow.steps.map { step in
            var step = step
            step.deliveries = []
            return step
        }
        let decoded = try JSONDecoder().decode(Flow.self, from: Data(flow.jsonBytes()))
        #expect(decoded.steps.map(\.messageID) == flow.steps.map(\.messageID))
        #expect(decoded.correlationID == flow.correlationID)
        #expect(decoded.findings == flow.findings)
    }
}
