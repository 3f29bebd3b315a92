import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import ChoreoStore
import Foundation
import Testing

@testable import ChoreoCLI

@Suite("CLI: discovery commands, trace search, --db")
struct FlowsDiscoveryCommandTests {
    @Test("flows list parses type and service filters into the query string")
    func listFilters() throws {
        let list = try #require(
            try ChoreoCommand.parseAsRoot([
                "flows", "list", "--type", "RefundPayment,GoodsReleased", "--service", "payment", "--status", "failed", "--since", "7d",
            ]) as? FlowsListCommand)
        let query = try list.query(now: Fixtures.t0)
        #expect(query.types == ["RefundPayment", "GoodsReleased"])
        #expect(query.services == ["payment"])
        #expect(query.since == Fixtures.t0 - 7 * 86_400 * 1_000_000_000)
        let url = try CollectorEndpoint(url: "http://c:1").flowsURL(query)
        #expect(url == "http://c:1/api/v1/flows?status=failed&type=RefundPayment&type=GoodsReleased&service=payment&since=2026-04-24T12:00:00.000Z")
    }

    @Test(
        "map, variants and export parse; a bad format or window is a usage error (exit 2)",
        arguments: [
            (["flows", "map", "--type", "A", "--limit", "500000"], true),
            (["flows", "variants", "--top", "3", "--since", "1h"], true),
            (["flows", "export", "--format", "xes", "--since", "30m"], true),
            (["flows", "export", "order-1", "--format", "mermaid"], true),
            (["flows", "export", "--format", "png"], false),
            (["flows", "export"], false),
            (["traces", "search", "--service", "payment", "--attribute", "k=v", "--errors"], true),
        ])
    func parsing(_ arguments: [String], _ valid: Bool) {
        do {
            _ = try ChoreoCommand.parseAsRoot(arguments)
            #expect(valid, "\(arguments) should not parse")
        } catch {
            #expect(!valid, "\(arguments): \(error)")
            #expect(ChoreoCommand.exitCode(forError: error) == 2)
        }
    }

    @Test("trace search validates attributes, limits and times locally")
    func traceSearchQuery() throws {
        let search = try #require(
            try ChoreoCommand.parseAsRoot([
                "traces", "search", "--attribute", "messaging.message.conversation_id=a=b", "--errors", "--since", "1h", "--limit", "5",
            ]) as? TracesSearchCommand)
        let query = try search.query(now: Fixtures.t0)
        #expect(query.attributes == ["messaging.message.conversation_id": "a=b"])
        #expect(query.errorsOnly && query.limit == 5)
        #expect(
            try CollectorEndpoint(url: "http://c:1").tracesURL(query)
                == "http://c:1/api/v1/traces?attribute=messaging.message.conversation_id%3Da%3Db&errors=true&since=2026-05-01T11:00:00.000Z&limit=5")
        for bad in [["--attribute", "=x"], ["--attribute", "novalue"], ["--limit", "0"], ["--since", "soon"]] {
            let command = try #require(try ChoreoCommand.parseAsRoot(["traces", "search"] + bad) as? TracesSearchCommand)
            #expect(throws: CLIError.self) { try command.query(now: Fixtures.t0) }
        }
    }

    @Test("variants send the flow limit as flows= and the top as limit=")
    func variantsURL() throws {
        let query = try FlowListQuery.parse(status: [], since: nil, until: nil, limit: 5000, now: Fixtures.t0, maxLimit: DiscoveryLimits.maxFlows)
        #expect(try CollectorEndpoint(url: "http://c:1").variantsURL(query, top: 3) == "http://c:1/api/v1/variants?flows=5000&limit=3")
    }

    func map() -> ProcessMap {
        ProcessMap(
            nodes: [.init(type: "OrderPlaced", count: 10, starts: 10), .init(type: "PaymentReceived", count: 7)],
            edges: [.init(from: "OrderPlaced", to: "PaymentReceived", count: 7, p50Nanos: 1_500_000, p95Nanos: 12_000_000)],
            flows: 10)
    }

    @Test("the map renders as aligned tables of types and transitions")
    func mapRenderer() {
        let text = ProcessMapRenderer().render(map())
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("TYPE") && lines[0].contains("COUNT"))
        let edge = try? #require(Fixtures.line(containing: "OrderPlaced  PaymentReceived", in: text))
        #expect(edge?.contains("1.5ms") == true && edge?.contains("12.0ms") == true)
        #expect(text.hasSuffix("10 flows, 2 types, 1 transitions\n"))
        #expect(!text.contains("\u{1B}["), "no colour with the plain palette")
        #expect(ProcessMapRenderer().render(ProcessMap(nodes: [], edges: [], flows: 0)) == "no flows match\n")
    }

    @Test("variants and trace search results render as tables")
    func tables() {
        let report = VariantReport(flows: 4, variants: [Variant(types: ["A", "B"], count: 3, share: 0.75, example: "o-1")])
        let variants = VariantTableRenderer().render(report)
        #expect(variants.contains("75.0%") && variants.contains("A → B") && variants.contains("o-1"))
        let summary = try! #require(
            TraceSummary(
                traceID: Fixtures.traceID,
                spans: [
                    Fixtures.span(1, "send x", service: "order", start: 0, end: 5),
                    Fixtures.span(2, parent: 1, "process x", service: "payment", start: 2, end: 9, status: .error),
                ]))
        let traces = TraceTableRenderer(palette: Palette(isEnabled: true)).render([summary])
        #expect(traces.contains(Fixtures.traceID.hex) && traces.contains("send x") && traces.contains("9.0ms"))
        #expect(traces.contains("\u{1B}[31m1\u{1B}[0m"), "errors are red on a terminal")
        #expect(TraceTableRenderer().render([]) == "no traces match\n")
    }

    @Test("--db reads a collector's database directly: list, show, map, XES; unknown ids are not found")
    func databaseSource() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("choreo-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("choreo.sqlite").path
        let writer = try SQLiteSpanStore(path: path)
        let spans = [
            Fixtures.span(
                1, "send", kind: .producer, start: 0, end: 1,
                attributes: [
                    MessagingKey.messageID: .string("m1"), MessagingKey.conversationID: .string("order-9"),
                    MessagingKey.operationType: .string("send"), ChoreoKey.eventType: .string("OrderPlaced"),
                ]),
            Fixtures.span(
                2, parent: 1, "process", kind: .consumer, start: 2, end: 3,
                attributes: [
                    MessagingKey.messageID: .string("m1"), MessagingKey.conversationID: .string("order-9"),
                    MessagingKey.operationType: .string("process"), ChoreoKey.eventType: .string("OrderPlaced"),
                    ChoreoKey.deliveryOutcome: .string("handled"),
                ]),
        ]
        try await writer.append(spans)
        let flow = try #require(FlowBuilder().build(correlationID: "order-9", spans: spans, now: Fixtures.ms(10)))
        let summary = FlowBuilder().summary(of: flow)
        try await writer.upsertFlows(
            [
                IndexedFlow(
                    summary: summary,
                    trail: [
                        FlowTrail.Step(type: "OrderPlaced", service: "svc", publishedAtUnixNano: Fixtures.t0)
                    ])
            ], clearing: [])

        try await DatabaseSource.with(path: path, now: { Fixtures.ms(10) }) { (source: DatabaseSource) async throws -> Void in
            #expect(try await source.flows(FlowListQuery(types: ["OrderPlaced"])).map(\.correlationID) == ["order-9"])
            #expect(try await source.flow(correlationID: "order-9").status == .completed)
            await #expect(throws: CLIError.notFound("no flow with correlation id \"nope\"")) { try await source.flow(correlationID: "nope") }
            #expect(try await source.map(FlowListQuery()).nodes.map(\.type) == ["OrderPlaced"])
            #expect(try await source.xes(FlowListQuery()).contains("order-9"))
            #expect(try await source.trace(Fixtures.traceID).spans.count == 2)
            #expect(try await source.traces(TraceQuery(service: "svc")).count == 1)
        }
        await writer.close()
        await #expect(throws: CLIError.self) {
            try await DatabaseSource.with(path: directory.appendingPathComponent("missing.sqlite").path) { _ in }
        }
    }
}

@Suite("CLI: flows show findings")
struct FlowFindingsRenderingTests {
    @Test("the header lists unconsumed and dead-lettered messages, duplicates, uncompensated steps and deviations; deliveries show queue and run time")
    func findings() {
        var delivery = Fixtures.delivery("payment", .handled)
        delivery.queueTimeNanos = 9_000_000
        delivery.handlingTimeNanos = 1_000_000
        var flow = Fixtures.flow([Fixtures.step("m1", "OrderPlaced", from: "order", at: 0, deliveries: [delivery])], status: .failed)
        flow.findings = FlowFindings(
            unconsumed: ["m9"], deadLettered: ["m7"], duplicatesIgnored: 2, uncompensated: ["m2"],
            deviations: [FlowDeviation(kind: .missingStep, type: "ShipGoods", detail: "expected ShipGoods between A and B")]
        )
        let text = FlowTreeRenderer().render(flow)
        #expect(Fixtures.line(containing: "not consumed", in: text)?.hasSuffix("m9") == true)
        #expect(Fixtures.line(containing: "dead-lettered", in: text)?.hasSuffix("m7") == true)
        #expect(Fixtures.line(containing: "duplicates", in: text)?.hasSuffix("2 ignored") == true)
        #expect(Fixtures.line(containing: "uncompensated", in: text)?.hasSuffix("m2") == true)
        #expect(Fixtures.line(containing: "deviation", in: text)?.contains("missing_step: expected ShipGoods") == true)
        #expect(text.contains("payment: handled (1 attempt, queued 9.0ms, ran 1.0ms)"))
    }

    @Test("export of one flow renders each format")
    func exportFormats() throws {
        let flow = Fixtures.flow([Fixtures.step("m1", "OrderPlaced", from: "order", at: 0, deliveries: [Fixtures.delivery("payment", .handled)])])
        #expect(try FlowsExportCommand.export(flow, format: .mermaid).hasPrefix("sequenceDiagram"))
        #expect(try FlowsExportCommand.export(flow, format: .dot).hasPrefix("digraph flow"))
        #expect(try FlowsExportCommand.export(flow, format: .xes).contains("<trace>"))
        #expect(try FlowsExportCommand.export(flow, format: .json).contains("\"correlation_id\""))
    }
}
