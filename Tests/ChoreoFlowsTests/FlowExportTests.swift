import ChoreoModel
import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import Testing
import ChoreoFlows

@Suite("Exports: Mermaid, DOT, XES")
struct FlowExportTests {
    let later = SpanScript.nanos(3_600_000)
    static let hostile = "evil\"];\n%% x --> y; <script>&'#\\"

    func flow(_ script: SpanScript) throws -> Flow {
        try #require(FlowBuilder().build(correlationID: script.correlationID, spans: script.spans, now: later))
    }

    /// A compensated flow whose names are all hostile.
    func hostileFlow() throws -> Flow {
        var flow = try flow(Sagas.compensated())
        flow.correlationID = Self.hostile
        for i in flow.steps.indices {
            flow.steps[i].source = Self.hostile + "svc"
            flow.steps[i].type += Self.hostile
        }
        return flow
    }

    @Test("a flow's Mermaid sequence diagram has services as participants and marks compensations and failures")
    func mermaidSequence() throws {
        let text = FlowExport.mermaidSequence(try flow(Sagas.compensated()))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "sequenceDiagram")
        let participants = lines.filter { $0.hasPrefix("    participant ") }
        #expect(Set(participants.map { $0.split(separator: " ").last.map(String.init) ?? "" }) == ["order", "payment", "inventory", "notification"])
        #expect(lines.contains { $0.contains("-->>") && $0.contains("RefundPayment ↺ compensates PaymentReceived") })
        let failed = FlowExport.mermaidSequence(try flow(Sagas.deadLettered()))
        #expect(failed.contains("-xP") && failed.contains("dead-lettered"))
        #expect(failed.contains("Note right of") && failed.contains("db still down"))
    }

    @Test("hostile names cannot break out of Mermaid labels")
    func mermaidEscaping() throws {
        let raw = FlowExport.mermaidSequence(try hostileFlow())
        let text = Self.withoutEntities(raw)
        for forbidden in ["\"", ";", "%%", "<", "&", "'", "\\", "[", "]"] {
            #expect(!text.contains(forbidden), "raw \(forbidden) in Mermaid output")
        }
        #expect(raw.contains("#34;") && raw.contains("#59;"))
        // In the map, labels sit inside ["..."] and |"..."|: nothing in them may close those.
        let map = FlowExport.mermaidMap(ProcessMap(trails: [try hostileFlow().trail]))
        for line in map.split(separator: "\n").dropFirst() {
            let inner = line.split(separator: "\"", omittingEmptySubsequences: false)
            #expect(inner.count == 3, "exactly one quoted label: \(line)")
            if inner.count == 3 {
                let label = Self.withoutEntities(String(inner[1]))
                for forbidden in ["\"", ";", "%%", "[", "]", "|", "<", "&"] { #expect(!label.contains(forbidden)) }
            }
        }
    }

    static func withoutEntities(_ text: String) -> String {
        text.replacingOccurrences(of: "#[0-9]+;", with: "", options: .regularExpression)
    }

    @Test("DOT output quotes and escapes every label")
    func dot() throws {
        let plain = FlowExport.dot(try flow(Sagas.compensated()))
        #expect(plain.hasPrefix("digraph flow {") && plain.hasSuffix("}\n"))
        #expect(plain.contains("style=dashed, color=orange, label=\"compensates\""))
        let text = FlowExport.dot(try hostileFlow()) + FlowExport.dot(ProcessMap(trails: [try hostileFlow().trail]))
        // Every double quote inside a label is escaped: unescaped quotes pair up per line.
        for line in text.split(separator: "\n") {
            let unescaped = line.replacingOccurrences(of: "\\\\", with: "").replacingOccurrences(of: "\\\"", with: "")
            #expect(unescaped.filter { $0 == "\"" }.count % 2 == 0, "unbalanced quotes: \(line)")
        }
        #expect(!text.contains("\n%%"))
    }

    @Test("the map's Mermaid and DOT name every node and edge")
    func mapDiagrams() throws {
        let map = ProcessMap(trails: [try flow(Sagas.happy()).trail, try flow(Sagas.declined()).trail])
        let mermaid = FlowExport.mermaidMap(map)
        #expect(mermaid.hasPrefix("flowchart LR\n"))
        #expect(mermaid.split(separator: "\n").filter { $0.contains("-->|") }.count == map.edges.count)
        let dot = FlowExport.dot(map)
        #expect(dot.split(separator: "\n").filter { $0.contains(" -> ") }.count == map.edges.count)
    }

    @Test("XES is well-formed XML whose directly-follows graph equals the map's edges, names escaped")
    func xes() throws {
        var paths = [try flow(Sagas.happy()).trail, try flow(Sagas.compensated()).trail, try hostileFlow().trail]
        // Two events in the same microsecond keep their order.
        paths.append(
            FlowTrail(
                correlationID: "tie",
                steps: [
                    .init(type: "B", service: "s", publishedAtUnixNano: 5_000), .init(type: "A", service: "s", publishedAtUnixNano: 5_000),
                ]))
        let document = FlowExport.xes(paths)
        let parsed = try XESReader.read(Data(document.utf8))
        #expect(parsed.count == paths.count)
        #expect(parsed.first { $0.id == Self.hostile }?.events.first?.activity == "OrderPlaced" + Self.hostile)
        var dfg: [String: Int] = [:]
        for trace in parsed {
            let events = trace.events.sorted { $0.time < $1.time }
            #expect(events.map(\.time) == trace.events.map(\.time), "timestamps increase within a case")
            for (a, b) in zip(events, events.dropFirst()) { dfg["\(a.activity)\u{1F}\(b.activity)", default: 0] += 1 }
            #expect(trace.events.allSatisfy { $0.lifecycle == "complete" })
        }
        #expect(dfg == ProcessMap(trails: paths).edgeCounts)
    }
}

/// A minimal XES reader for tests: traces with their events' activity, timestamp and lifecycle.
final class XESReader: NSObject, XMLParserDelegate {
    struct Event {
        var activity = ""
        var time = ""
        var lifecycle = ""
    }
    struct Trace {
        var id = ""
        var events: [Event] = []
    }
    private var traces: [Trace] = []
    private var event: Event?
    private var failure: (any Error)?

    static func read(_ data: Data) throws -> [Trace] {
        let reader = XESReader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        guard parser.parse() else { throw parser.parserError ?? reader.failure ?? CocoaError(.coderReadCorrupt) }
        return reader.traces
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "trace": traces.append(Trace())
        case "event": event = Event()
        case "string", "date":
            let key = attributes["key"] ?? ""
            let value = attributes["value"] ?? ""
            if event != nil {
                if key == "concept:name" { event?.activity = value }
                if key == "time:timestamp" { event?.time = value }
                if key == "lifecycle:transition" { event?.lifecycle = value }
            } else if key == "concept:name", !traces.isEmpty {
                traces[traces.count - 1].id = value
            }
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "event", let event, !traces.isEmpty {
            traces[traces.count - 1].events.append(event)
            self.event = nil
        }
    }
}
