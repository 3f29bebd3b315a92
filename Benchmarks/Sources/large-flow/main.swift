import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import ChoreoStore
import Foundation

// large-flow: one flow of N messages (2N spans, each step its own trace; issue 17) through the
// collector's own code path without HTTP: the SQLite store's read, FlowBuilder, the query
// service's cache of large flows, the direct JSON writer (whole flow and one page) beside
// JSONEncoder, and the Mermaid, DOT and XES exports. Checks every step is present and in
// order, in a causation chain N deep and in a fan-out N - 1 wide.
//
//     cd Benchmarks && swift build -c release --product large-flow
//     .build/release/large-flow [--messages 100000] [--shape chain|fanout|both] [--runs 3]

func value(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: "--\(name)"), i + 1 < args.count else { return nil }
    return args[i + 1]
}
if CommandLine.arguments.contains("--help") {
    print("usage: large-flow [--messages 100000] [--shape chain|fanout|both] [--runs 3]")
    exit(0)
}
let messages = value("messages").flatMap(Int.init) ?? 100_000
let runs = max(1, value("runs").flatMap(Int.init) ?? 3)
let shapes: [Bool] =
    switch value("shape") ?? "both" {
    case "chain": [true]
    case "fanout": [false]
    default: [true, false]
    }

/// The producer and consumer spans of `count` messages: a causation chain, or every message
/// after the first caused by the first. Each step is its own trace.
func spans(_ correlationID: String, count: Int, chain: Bool) -> [SpanRecord] {
    let base: UInt64 = 1_700_000_000_000_000_000
    var spans: [SpanRecord] = []
    spans.reserveCapacity(2 * count)
    for i in 0..<count {
        let id = "\(correlationID)-\(i)"
        var attributes: [String: AttributeValue] = [
            MessagingKey.system: .string("x"), MessagingKey.messageID: .string(id),
            MessagingKey.conversationID: .string(correlationID), MessagingKey.destinationName: .string("items"),
            ChoreoKey.eventType: .string(i == 0 ? "BatchStarted" : "ItemReserved"),
        ]
        if i > 0 { attributes[ChoreoKey.causationID] = .string("\(correlationID)-\(chain ? i - 1 : 0)") }
        let published = base + UInt64(i) * 1_000_000
        let trace = TraceID(high: 0xB, low: UInt64(i + 1))
        var producer = attributes
        producer[MessagingKey.operationType] = .string(MessagingOperation.send)
        spans.append(
            SpanRecord(
                traceID: trace, spanID: SpanID(UInt64(2 * i + 1)), parentSpanID: nil, name: "send items", kind: .producer,
                startTimeUnixNano: published, endTimeUnixNano: published + 100_000, attributes: producer, serviceName: "bulk"))
        var consumer = attributes
        consumer[MessagingKey.operationType] = .string(MessagingOperation.process)
        consumer[MessagingKey.consumerGroup] = .string("worker")
        consumer[ChoreoKey.deliveryAttempt] = .int(1)
        consumer[ChoreoKey.deliveryOutcome] = .string(DeliveryOutcome.handled.rawValue)
        spans.append(
            SpanRecord(
                traceID: trace, spanID: SpanID(UInt64(2 * i + 2)), parentSpanID: SpanID(UInt64(2 * i + 1)), name: "process items",
                kind: .consumer, startTimeUnixNano: published + 200_000, endTimeUnixNano: published + 500_000, attributes: consumer,
                serviceName: "bulk"))
    }
    return spans
}

/// The process's peak resident set (VmHWM), MiB.
func peakRSS() -> String {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    let kB = Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    return String(format: "%.0f MiB", kB / 1024)
}

func seconds(_ d: Duration) -> String {
    String(format: "%.3f s", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
}

let clock = ContinuousClock()
/// The best of `runs` timings of `body`, and its last result.
func timed<T>(_ label: String, runs: Int = runs, _ body: () async throws -> T) async rethrows -> T {
    var best = Duration.seconds(1_000_000)
    var result: T?
    for _ in 0..<runs {
        let start = clock.now
        result = try await body()
        best = min(best, clock.now - start)
    }
    print("| \(label) | \(seconds(best)) |")
    return result!
}

func check(_ condition: Bool, _ message: String) {
    if !condition {
        print("FAILED: \(message)")
        exit(1)
    }
}

print("# large-flow: \(messages) messages (\(2 * messages) spans), best of \(runs)")
print("")
print("- load average before: \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.prefix(14) ?? "?")")
for chain in shapes {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("large-flow-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try SQLiteSpanStore(path: directory.appendingPathComponent("choreo.sqlite").path)
    let id = "LARGE-\(chain ? "chain" : "fanout")"
    let all = spans(id, count: messages, chain: chain)
    print("")
    print("## \(chain ? "chain \(messages) deep" : "fan-out \(messages - 1) wide")")
    print("")
    print("| phase | time |")
    print("| --- | --- |")
    _ = try await timed("store: append \(all.count) spans (2,000 per call)", runs: 1) {
        var start = 0
        while start < all.count {
            try await store.append(Array(all[start..<min(start + 2_000, all.count)]))
            start += 2_000
        }
    }
    let stored = try await timed("store: read the flow's spans") { try await store.spans(correlationID: id) }
    check(stored.count == all.count, "read \(stored.count) spans of \(all.count)")
    _ = try await timed("store: the flow's fingerprint") { try await store.flowFingerprint(correlationID: id) }
    let built = try await timed("FlowBuilder: build from the spans read") {
        FlowBuilder().build(correlationID: id, spans: stored, now: UInt64.max / 2)
    }
    guard let flow = built else {
        check(false, "no flow built")
        exit(1)
    }
    check(flow.steps.count == messages, "\(flow.steps.count) steps of \(messages)")
    check(flow.steps.map(\.messageID) == (0..<messages).map { "\(id)-\($0)" }, "steps out of publish order")
    check(flow.status == .completed, "status \(flow.status)")
    let service = QueryService(store: store)
    _ = try await timed("QueryService.flow: first read (read + build)", runs: 1) { try await service.flow(correlationID: id) }
    let again = try await timed("QueryService.flow: again (kept, fingerprint only)") { try await service.flow(correlationID: id) }
    check(again == flow, "the kept flow differs from a fresh build")
    let bytes = try await timed("JSON: whole flow, direct writer") { flow.jsonBytes() }
    let page = try await timed("JSON: one page of 100 steps, direct writer") { flow.jsonBytes(page: (from: 0, limit: 100)) }
    let encoded = try await timed("JSON: whole flow, JSONEncoder (what the collector used)", runs: 1) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(flow))
    }
    check(bytes == encoded, "the direct writer and JSONEncoder differ")
    let read = try await timed("JSON: read the whole flow back, direct reader (the CLI)") { Flow(jsonBytes: bytes) }
    let decoded = try await timed("JSON: decode the whole flow, JSONDecoder (what the CLI used)", runs: 1) {
        try JSONDecoder().decode(Flow.self, from: Data(bytes))
    }
    check(read == decoded, "the direct reader and JSONDecoder differ")
    check(decoded.steps.map(\.messageID) == flow.steps.map(\.messageID), "decoded steps differ")
    let mermaid = try await timed("export: Mermaid") { FlowExport.mermaidSequence(flow) }
    let dot = try await timed("export: DOT") { FlowExport.dot(flow) }
    let xes = try await timed("export: XES") { FlowExport.xes([flow.trail]) }
    for (name, text) in [("Mermaid", mermaid), ("DOT", dot)] { check(text.utf8.count > messages, "\(name) is too short") }
    check(xes.components(separatedBy: "<event>").count - 1 == messages, "XES events != steps")
    print("")
    print(
        "JSON \(bytes.count.formatted()) bytes (page \(page.count) bytes); Mermaid \(mermaid.utf8.count.formatted()), "
            + "DOT \(dot.utf8.count.formatted()), XES \(xes.utf8.count.formatted()) bytes; every step present and in order; "
            + "peak RSS so far \(peakRSS())")
}
print("")
print("- load average after: \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.prefix(14) ?? "?")")
