import ChoreoFlows
import ChoreoModel
import Foundation
import Testing

/// Pages of a flow's JSON (issue 17): steps by range or by index, a slice of the trace ids, the
/// outline; written by ``Flow/jsonBytes(page:)`` and read back by ``FlowPage/init(jsonBytes:)``.
@Suite("Flow pages and outline")
struct FlowPageTests {
    typealias W = FlowJSONWriterTests

    static func step(_ id: String, _ type: String, cause: String? = nil, compensates: String? = nil, deliveries: [FlowDelivery]) -> FlowStep {
        FlowStep(
            messageID: id, type: type, source: "s", causationID: cause, compensates: compensates, publishedAtUnixNano: 1,
            deliveries: deliveries)
    }

    static func delivery(_ outcome: DeliveryOutcome, failed: Int = 0, error: String? = nil) -> FlowDelivery {
        FlowDelivery(consumer: "c", attempts: 1, outcome: outcome, error: error, firstStartedAtUnixNano: 1, lastEndedAtUnixNano: 2, failedAttempts: failed)
    }

    @Test("the outline names each step's type, cause, flags and the step it compensates")
    func outline() {
        var refund = Self.step("m3", "Refunded", cause: "m2", compensates: "m1", deliveries: [Self.delivery(.handled)])
        refund.compensation = .marked
        var charged = Self.step("m1", "Charged", cause: "m0", deliveries: [Self.delivery(.handled, failed: 1)])
        charged.compensatedBy = "m3"
        charged.adjustedByNanos = 5
        let flow = Flow(
            correlationID: "f", status: .compensated, outcome: nil, traceIDs: [], startedAtUnixNano: 1, endedAtUnixNano: 2,
            steps: [
                charged,
                Self.step("m2", "Failed", cause: "m1", deliveries: [Self.delivery(.deadLettered, error: "boom")]),
                refund,
                Self.step("m2", "Failed", cause: "m2", deliveries: []),
                Self.step("m5", "Charged", cause: "m1", deliveries: [Self.delivery(.handled, error: "warning")]),
            ])
        let outline = FlowOutline(flow)
        #expect(outline.types == ["Charged", "Failed", "Refunded"])
        #expect(outline.steps.map(\.type) == [0, 1, 2, 1, 0])
        #expect(outline.steps.map(\.cause) == [-1, 0, 1, 1, 0], "m0 never seen; a repeated id means its first step")
        #expect(outline.steps.map(\.compensates) == [-1, -1, 0, -1, -1])
        #expect(
            outline.steps.map(\.flags) == [
                [.compensated, .troubled], [.troubled, .error], [.compensation], [.unconsumed], [.error],
            ])
        #expect(outline.steps.map(\.flags.isPlain) == [false, false, false, false, true], "an error alone does not stop folding")
        #expect(outline.adjustedSteps == 1)
    }

    @Test("pages by range or index, with a slice of the trace ids and the outline, read back as written")
    func pages() throws {
        var r = W.Seeded(state: 4242)
        for round in 0..<300 {
            var flow = W.flow(&r, steps: Int.random(in: 0...8, using: &r))
            flow.traceIDs = (0..<Int.random(in: 0...12, using: &r)).map { _ in TraceID(high: r.next(), low: r.next()) }
            let steps: FlowPageRequest.Steps =
                Bool.random(using: &r)
                ? .range(from: Int.random(in: 0...10, using: &r), limit: Bool.random(using: &r) ? Int.random(in: 0...10, using: &r) : nil)
                : .at((0..<Int.random(in: 0...5, using: &r)).map { _ in Int.random(in: 0...10, using: &r) })
            let request = FlowPageRequest(
                steps: steps, tracesFrom: Int.random(in: 0...14, using: &r), tracesLimit: Int.random(in: 0...6, using: &r),
                outline: Bool.random(using: &r))
            let bytes = flow.jsonBytes(page: request)
            #expect((try? JSONSerialization.jsonObject(with: Data(bytes))) != nil, "round \(round): not JSON")
            let page = try #require(FlowPage(jsonBytes: bytes), "round \(round): \(String(decoding: bytes, as: UTF8.self))")
            let total = flow.steps.count
            let expected: [Int]
            switch steps {
            case .range(let from, let limit):
                let start = min(from, total)
                expected = Array(start..<(limit.map { start + min($0, total - start) } ?? total))
                #expect(page.stepsFrom == start)
            case .at(let indexes):
                expected = indexes.filter { $0 < total }
                #expect(page.stepsFrom == nil)
            }
            #expect(page.flow.steps.map(\.messageID) == expected.map { flow.steps[$0].messageID }, "round \(round)")
            #expect(page.stepsTotal == total)
            let tracesStart = min(request.tracesFrom, flow.traceIDs.count)
            let tracesEnd = tracesStart + min(request.tracesLimit ?? 0, flow.traceIDs.count - tracesStart)
            #expect(page.flow.traceIDs == Array(flow.traceIDs[tracesStart..<tracesEnd]))
            #expect(page.tracesTotal == flow.traceIDs.count)
            #expect(page.outline == (request.outline ? FlowOutline(flow) : nil))
            #expect(page.flow.correlationID == flow.correlationID && page.flow.findings.deviations.count == flow.findings.deviations.count)
        }
    }

    @Test("the whole flow's bytes are unchanged, and a range page without a trace limit is the page as before")
    func unchanged() {
        var r = W.Seeded(state: 77)
        let flow = W.flow(&r, steps: 5)
        #expect(flow.jsonBytes(page: nil as FlowPageRequest?) == flow.jsonBytes())
        #expect(
            flow.jsonBytes(page: FlowPageRequest(steps: .range(from: 1, limit: 2), tracesLimit: nil))
                == flow.jsonBytes(page: (from: 1, limit: 2)))
        let text = String(decoding: flow.jsonBytes(page: (from: 1, limit: 2)), as: UTF8.self)
        #expect(!text.contains("traces_total") && !text.contains("outline"))
    }
}
