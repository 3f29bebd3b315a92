import ChoreoFlows
import ChoreoInstrumentation
import ChoreoModel
import ChoreoTestSupport
import ChoreoTracer
import Foundation
import OrderFulfilment
import Testing
import Tracing

/// The tracer's and `TracedBus`'s output, pinned: a seeded order-fulfilment run (every fault,
/// simulated time) traced by ``ChoreoTracer`` must export the same spans — names, kinds,
/// services, parents, links, attributes, events, status — and so rebuild the same flows as the
/// golden file recorded before the hot paths were made faster. A fast path that drops an
/// attribute, a link or a header, or changes a parent, fails here.
///
/// Times and random ids differ from run to run, so they are replaced by what they stand for:
/// a message id by its message's (correlation id, type, n-th of that type), a span by its
/// name and message, a trace by whether it is the parent's. Regenerate the golden file (only
/// for an intended change of the output) with `CHOREO_UPDATE_GOLDEN=1`.
@Suite("Traced order-fulfilment run, golden", .timeLimit(.minutes(2)))
struct TracedRunGoldenTests {
    static let goldenURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/traced-order-fulfilment.txt")

    @Test("the exported spans and the flows rebuilt from them match the golden file", arguments: ConsumerTraceMode.allCases)
    func golden(mode: ConsumerTraceMode) async throws {
        let (tracer, processor) = makeRecordingTracer(serviceName: "order-fulfilment", seed: 5)
        let system = OrderFulfilmentSystem(
            configuration: .init(faults: .all, dayLength: .seconds(3_600), traceMode: mode, simulatedTime: true),
            clock: TestClock()
        )
        let truth = try await withTracer(tracer) { try await system.run(orders: 30, seed: 11, concurrency: 4) }
        let spans = processor.records
        #expect(truth.flows.count == 30)
        let text = Self.canonical(spans: spans, correlationIDs: truth.flows.keys.sorted(), mode: mode)

        let file = Self.goldenURL.deletingPathExtension().appendingPathExtension("\(mode.rawValue).txt")
        if ProcessInfo.processInfo.environment["CHOREO_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        let got = text.split(separator: "\n", omittingEmptySubsequences: false)
        let want = golden.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(got.count == want.count, "line count differs from \(file.lastPathComponent)")
        for (index, pair) in zip(got, want).enumerated() where pair.0 != pair.1 {
            Issue.record("line \(index + 1) of \(file.lastPathComponent):\n got: \(pair.0)\nwant: \(pair.1)")
            break
        }
    }

    /// The run as sorted lines: one per span, then one per flow.
    static func canonical(spans: [SpanRecord], correlationIDs: [String], mode: ConsumerTraceMode) -> String {
        let labels = MessageLabels(spans)
        let byID = Dictionary(spans.map { ($0.spanID, $0) }, uniquingKeysWith: { first, _ in first })
        func short(_ span: SpanRecord) -> String {
            "\(span.name)[\(labels.label(span.string(MessagingKey.messageID)))]"
        }
        var spanLines: [String] = []
        for span in spans {
            var fields = [short(span), "kind=\(span.kind.rawValue)", "service=\(span.serviceName)"]
            fields.append("scope=\(span.scopeName ?? "-")")
            fields.append("status=\(span.statusCode.rawValue):\(span.statusMessage.map(labels.replacingIDs) ?? "-")")
            if let parentID = span.parentSpanID {
                let parent = byID[parentID]
                let sameTrace = parent.map { $0.traceID == span.traceID } ?? false
                fields.append("parent=\(parent.map(short) ?? "unknown")\(sameTrace ? "" : "(other trace)")")
            } else {
                fields.append("parent=none")
            }
            fields.append("traceState=\(span.traceState ?? "-")")
            fields.append("ordered=\(span.endTimeUnixNano >= span.startTimeUnixNano)")
            let attributes = span.attributes.keys.sorted().map { "\($0)=\(labels.value(span.attributes[$0]!, key: $0))" }
            fields.append("attributes{\(attributes.joined(separator: ", "))}")
            let links = span.links.map { link -> String in
                let target = byID[link.spanID]
                let sameTrace = link.traceID == span.traceID
                return "\(target.map(short) ?? "unknown")\(sameTrace ? "" : "(other trace)")\(link.attributes.isEmpty ? "" : "\(link.attributes)")"
            }
            fields.append("links[\(links.sorted().joined(separator: ", "))]")
            let events = span.events.map { event -> String in
                let attributes = event.attributes.keys.sorted().map { "\($0)=\(labels.value(event.attributes[$0]!, key: $0))" }
                return "\(event.name){\(attributes.joined(separator: ", "))}"
            }
            fields.append("events[\(events.joined(separator: "; "))]")
            fields.append("resource{\(span.resourceAttributes.keys.sorted().map { "\($0)=\(span.resourceAttributes[$0]!)" }.joined(separator: ", "))}")
            spanLines.append(fields.joined(separator: " "))
        }
        let end = spans.map(\.endTimeUnixNano).max() ?? 0
        let builder = FlowBuilder()
        var flowLines: [String] = []
        for id in correlationIDs {
            guard let flow = builder.build(correlationID: id, spans: spans, now: end + 1_000_000_000_000_000) else {
                flowLines.append("flow \(id): none")
                continue
            }
            let steps = flow.steps.map { step in
                "\(labels.label(step.messageID)) \(step.type) from \(step.source) topic=\(step.topic ?? "-")"
                    + " cause=\(labels.label(step.causationID)) compensates=\(labels.label(step.compensates))"
                    + " compensation=\(step.compensation.map { "\($0)" } ?? "-") compensatedBy=\(labels.label(step.compensatedBy))"
                    + " deliveries=\(step.deliveries.map { "\($0.consumer)@\($0.service ?? "-"):\($0.outcome.rawValue)x\($0.attempts)/\($0.failedAttempts) \($0.error.map(labels.replacingIDs) ?? "-")" }.sorted())"
            }
            flowLines.append(
                "flow \(id): \(flow.status.rawValue) outcome=\(flow.outcome ?? "-") waiting=\(flow.waitingFor ?? "-")"
                    + " gaps=\(flow.gaps) traces=\(flow.traceIDs.count) steps[\(steps.sorted().joined(separator: "; "))]"
            )
        }
        return (["mode \(mode.rawValue): \(spans.count) spans"] + spanLines.sorted() + flowLines).joined(separator: "\n") + "\n"
    }
}

/// Stable names for the run's random message ids: (correlation id, type, n-th message of that
/// type in that flow, in publish order of the recorded producer spans, ties broken by id order).
struct MessageLabels {
    private var names: [String: String] = [:]

    init(_ spans: [SpanRecord]) {
        let producers = spans.filter { $0.kind == .producer }
            .sorted { ($0.startTimeUnixNano, $0.string(MessagingKey.messageID) ?? "") < ($1.startTimeUnixNano, $1.string(MessagingKey.messageID) ?? "") }
        var counts: [String: Int] = [:]
        for span in producers {
            guard let id = span.string(MessagingKey.messageID), names[id] == nil else { continue }
            let base = "\(span.string(MessagingKey.conversationID) ?? "?")/\(span.string(ChoreoKey.eventType) ?? "?")"
            counts[base, default: 0] += 1
            names[id] = counts[base]! == 1 ? base : "\(base)#\(counts[base]!)"
        }
    }

    func label(_ id: String?) -> String {
        guard let id else { return "-" }
        return names[id] ?? (id.contains("-") && id.count > 17 ? "unpublished" : id)
    }

    /// `text` with every known message id replaced by its label.
    func replacingIDs(_ text: String) -> String {
        var result = text
        for (id, name) in names where result.contains(id) { result = result.replacingOccurrences(of: id, with: name) }
        return result
    }

    func value(_ value: AttributeValue, key: String) -> String {
        switch key {
        case MessagingKey.messageID, ChoreoKey.causationID, ChoreoKey.compensates:
            return label(value.stringValue)
        default:
            if case .string(let text) = value { return "\"\(replacingIDs(text))\"" }
            return "\(value)"
        }
    }
}
