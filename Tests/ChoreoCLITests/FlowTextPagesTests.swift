import ChoreoFlows
import ChoreoModel
import Testing

@testable import ChoreoCLI

/// `choreo flows show` in text from a collector (issue 17): the outline first, then only the
/// steps the tree shows. The pages are served by the collector's own writer
/// (``Flow/jsonBytes(page:)``) and read back as the client reads them, so the text must be the
/// one the CLI printed when it read and decoded the whole flow.
@Suite("flows show text from pages")
struct FlowTextPagesTests {
    typealias F = Fixtures

    /// What a client asked for and how many bytes it read.
    final class Served {
        var requests: [FlowPageRequest] = []
        var bytes = 0
        var whole = 0
    }

    static func text(_ flow: Flow, _ renderer: FlowTreeRenderer, served: Served, grown: Flow? = nil) async throws -> String {
        try await CollectorClient.flowText(
            renderer: renderer,
            page: { request in
                // The second request sees `grown` when the flow changed in between.
                let source = served.requests.isEmpty ? flow : grown ?? flow
                served.requests.append(request)
                let bytes = source.jsonBytes(page: request)
                served.bytes += bytes.count
                return try #require(FlowPage(jsonBytes: bytes))
            },
            whole: {
                served.whole += 1
                return grown ?? flow
            })
    }

    /// The text the CLI printed before: the whole flow read back from its JSON, rendered.
    static func wholeText(_ flow: Flow, _ renderer: FlowTreeRenderer) throws -> String {
        renderer.render(try #require(Flow(jsonBytes: flow.jsonBytes())))
    }

    static let saga = F.flow(
        [
            F.step("m1", "OrderPlaced", from: "checkout", at: 0, deliveries: [F.delivery("payment", .handled)]),
            F.step(
                "m2", "PaymentCharged", from: "payment", causedBy: "m1", at: 120,
                deliveries: [F.delivery("inventory", .handled, attempts: 3, failed: 2, error: "database locked")]),
            F.step(
                "m3", "GoodsUnavailable", from: "inventory", causedBy: "m2", at: 200,
                deliveries: [F.delivery("payment", .handled), F.delivery("shipment", .deadLettered, attempts: 5, failed: 5, error: "timeout")]),
            F.step("m4", "PaymentRefunded", from: "payment", causedBy: "m3", compensates: "m2", at: 300),
            F.step("m5", "OrderCancelled", from: "order", causedBy: "m9", at: 310),
            F.step("m6", "Refunded", from: "order", causedBy: "m4", compensates: "m0", at: 320),
        ], status: .compensated, outcome: "OrderCancelled")

    static let renderers: [FlowTreeRenderer] = [
        FlowTreeRenderer(), FlowTreeRenderer(expand: true), FlowTreeRenderer(page: .init(from: 10, limit: 5)),
        FlowTreeRenderer(expand: true, page: .init(from: 3, limit: 40)), FlowTreeRenderer(page: .init(from: 0, limit: 1)),
        FlowTreeRenderer(page: .init(from: 1_000_000, limit: 5)), FlowTreeRenderer(palette: Palette(isEnabled: true)), FlowTreeRenderer(rawTimes: true),
    ]

    static let flows: [Flow] = [
        saga, F.flow([]), LargeFlowTreeTests.flow(count: 300, chain: true), LargeFlowTreeTests.flow(count: 300, chain: false),
        LargeFlowTreeTests.flow(count: 300, chain: true, breakAt: 150), LargeFlowTreeTests.flow(count: 300, chain: false, breakAt: 7),
    ]

    @Test("the text from the outline and the shown steps is the text of the whole flow")
    func sameText() async throws {
        for (f, flow) in Self.flows.enumerated() {
            for renderer in Self.renderers {
                let served = Served()
                let text = try await Self.text(flow, renderer, served: served)
                let expected = try Self.wholeText(flow, renderer)
                #expect(text == expected, "flow \(f), \(renderer.expand) \(renderer.page)")
                #expect(served.whole == 0)
                // The outline, then the shown steps (none when the page is past the end or folded).
                #expect(served.requests.count == 1 || served.requests.count == 2)
                #expect(served.requests.first?.outline == true)
            }
        }
    }

    @Test("a folded chain of 20,000 steps reads its outline and a few steps, not the flow")
    func readsLittle() async throws {
        let flow = LargeFlowTreeTests.flow(chain: true)
        let served = Served()
        let text = try await Self.text(flow, FlowTreeRenderer(), served: served)
        #expect(text == (try Self.wholeText(flow, FlowTreeRenderer())))
        let whole = flow.jsonBytes().count
        #expect(served.bytes * 10 < whole, "read \(served.bytes) bytes of a \(whole)-byte flow")
        #expect(served.requests.last?.steps == .at([0, 1, LargeFlowTreeTests.count - 1]))
        #expect(served.requests.allSatisfy { ($0.tracesLimit ?? .max) <= FlowTreeRenderer.listedTraces })
    }

    @Test("100,000 steps in one chain and fanned out 100,000 wide: the text from a few hundred kilobytes", arguments: [true, false])
    func hundredThousand(chain: Bool) async throws {
        let count = 100_000
        let flow = LargeFlowTreeTests.flow(count: count, chain: chain, breakAt: 60_000)
        let served = Served()
        let text = try await Self.text(flow, FlowTreeRenderer(), served: served)
        #expect(text == FlowTreeRenderer().render(flow))
        #expect(text.contains("ItemReserved (m99999)"))
        #expect(text.contains("out of stock"), "the dead-lettered step is shown, not folded")
        #expect(served.whole == 0)
        #expect(served.bytes < 2_000_000, "read \(served.bytes) bytes (the whole flow is about 90 MB)")
        // A page from the middle, in tree order.
        let paged = Served()
        let middle = try await Self.text(flow, FlowTreeRenderer(expand: true, page: .init(from: 50_000, limit: 20)), served: paged)
        #expect(middle == FlowTreeRenderer(expand: true, page: .init(from: 50_000, limit: 20)).render(flow))
        #expect(middle.contains("ItemReserved (m50000)"))
    }

    @Test("a flow that grew between the two requests is read whole")
    func grown() async throws {
        let flow = LargeFlowTreeTests.flow(count: 300, chain: true)
        let grown = LargeFlowTreeTests.flow(count: 301, chain: true)
        let served = Served()
        let text = try await Self.text(flow, FlowTreeRenderer(), served: served, grown: grown)
        #expect(served.whole == 1)
        #expect(text == FlowTreeRenderer().render(grown))
    }

    @Test("a tree showing more steps than one request may name is rendered from the whole flow")
    func manyShown() async throws {
        let flow = LargeFlowTreeTests.flow(count: CollectorClient.maxStepsPerRequest + 1, chain: false)
        let served = Served()
        _ = try await Self.text(flow, FlowTreeRenderer(expand: true), served: served)
        #expect(served.whole == 1)
        #expect(served.requests.count == 1)
    }

    @Test("page requests as query strings")
    func queries() {
        #expect(
            CollectorClient.query(FlowPageRequest(steps: .range(from: 0, limit: 0), tracesLimit: 5, outline: true))
                == "steps_limit=0&traces_limit=5&outline=true")
        #expect(CollectorClient.query(FlowPageRequest(steps: .at([0, 1, 2, 7, 9, 10]), tracesLimit: 0)) == "steps_at=0-2,7,9-10&traces_limit=0")
        #expect(CollectorClient.query(FlowPageRequest(steps: .range(from: 4, limit: nil), tracesFrom: 2, tracesLimit: nil)) == "steps_from=4&traces_from=2")
    }
}
