import Foundation
import Testing

/// Grafana's Jaeger data source against real processes: order-fulfilment (every fault, each
/// handler in a new trace) → choreo-agent → choreo-collector, then every Jaeger route walked as
/// Grafana and the Jaeger UI call them, each answer held to Jaeger's JSON model (field names,
/// JSON types, microseconds, reference types, typed tags) for the spans order-fulfilment emits.
@Suite("Jaeger API over order-fulfilment", .serialized, .timeLimit(.minutes(5)))
struct JaegerEndToEndTests {
    static let services: Set<String> = ["order", "payment", "inventory", "shipment"]
    static let tagTypes: Set<String> = ["string", "bool", "int64", "float64", "binary"]

    @Test("services, operations, trace search, one trace and dependencies answer in Jaeger's model; a flow over several traces links them FOLLOWS_FROM")
    func jaegerRoutes() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let pipeline = try await harness.startCollectorAndAgent()
        let truthPath = harness.workDir.appendingPathComponent("truth.json").path
        let before = UInt64(Date().timeIntervalSince1970 * 1_000_000) - 1_000_000
        let demo = try harness.run(
            "order-fulfilment", ["--orders", "12", "--seed", "3", "--faults", "all", "--trace-mode", "new-trace", "--truth", truthPath],
            environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": pipeline.agentURL])
        try #require(demo.status == 0, "order-fulfilment failed: \(demo.stderr.suffix(1_000))")
        try await Chaos.waitUntilAgentDrained(agentPort: pipeline.agentPort)
        let after = UInt64(Date().timeIntervalSince1970 * 1_000_000) + 1_000_000
        let port = pipeline.collectorPort

        // /api/services: the envelope, every service of the run.
        let services = try Self.get(port, "/api/services")
        let names = try #require(services["data"] as? [String], "data is a list of strings: \(services)")
        #expect(Self.services.isSubset(of: Set(names)), "services \(names)")
        #expect(services["total"] as? Int == names.count && services.keys.contains("errors"))

        // Operations, both forms.
        let legacy = try #require(try Self.get(port, "/api/services/payment/operations")["data"] as? [String])
        #expect(legacy.contains { $0.hasPrefix("process ") } && legacy.contains { $0.hasPrefix("send ") }, "payment's operations: \(legacy)")
        let operations = try #require(try Self.get(port, "/api/operations?service=payment")["data"] as? [[String: Any]])
        #expect(!operations.isEmpty && operations.allSatisfy { $0["name"] is String && $0["spanKind"] is String })
        #expect(Set(operations.compactMap { $0["spanKind"] as? String }).isSuperset(of: ["producer", "consumer"]))

        // Trace search in the run's window, then each found trace alone.
        let search = try Self.get(port, "/api/traces?service=payment&start=\(before)&end=\(after)&limit=5")
        let found = try #require(search["data"] as? [[String: Any]])
        #expect(!found.isEmpty && found.count <= 5, "\(found.count) traces found")
        var problems: [String] = []
        for trace in found { problems += Self.modelProblems(trace, window: before...after) }
        let traceID = try #require(found.first?["traceID"] as? String)
        let single = try #require(try Self.get(port, "/api/traces/\(traceID)")["data"] as? [[String: Any]])
        #expect(single.count == 1 && single.first?["traceID"] as? String == traceID)
        problems += single.flatMap { Self.modelProblems($0, window: before...after) }
        #expect(problems.isEmpty, "Jaeger model: \(problems.prefix(8))")

        // A flow spread over several traces: its consumer spans link FOLLOWS_FROM to producers in other traces.
        let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: truthPath))) as? [String: Any])
        let flowID = try #require(truth.keys.sorted().first)
        let flow = try Self.get(port, "/api/v1/flows/\(flowID)")
        let flowTraces = try #require(flow["trace_ids"] as? [String])
        #expect(flowTraces.count >= 3, "with --trace-mode new-trace the flow spans several traces: \(flowTraces)")
        var crossTraceFollows = 0
        for id in flowTraces {
            let trace = try #require(try Self.get(port, "/api/traces/\(id)")["data"] as? [[String: Any]]).first ?? [:]
            for span in trace["spans"] as? [[String: Any]] ?? [] {
                for reference in span["references"] as? [[String: Any]] ?? []
                where reference["refType"] as? String == "FOLLOWS_FROM" && reference["traceID"] as? String != id {
                    crossTraceFollows += 1
                }
            }
        }
        #expect(crossTraceFollows >= flowTraces.count - 1, "FOLLOWS_FROM references into other traces: \(crossTraceFollows)")

        // Dependencies over the run's window (milliseconds): publisher service -> consumer service.
        let endTs = after / 1_000
        let dependencies = try #require(try Self.get(port, "/api/dependencies?endTs=\(endTs)&lookback=600000")["data"] as? [[String: Any]])
        let edges = Set(
            dependencies.compactMap { edge -> String? in
                guard let parent = edge["parent"] as? String, let child = edge["child"] as? String, (edge["callCount"] as? Int ?? 0) > 0 else { return nil }
                return "\(parent)->\(child)"
            })
        #expect(edges.contains("order->payment") && edges.contains("payment->order"), "dependencies: \(edges.sorted())")
    }

    /// What in one trace document differs from Jaeger's model.
    static func modelProblems(_ trace: [String: Any], window: ClosedRange<UInt64>) -> [String] {
        var problems: [String] = []
        guard let traceID = trace["traceID"] as? String, traceID.count == 32, traceID.allSatisfy(\.isHexDigit), traceID == traceID.lowercased() else {
            return ["traceID \(String(describing: trace["traceID"]))"]
        }
        let processes = trace["processes"] as? [String: [String: Any]] ?? [:]
        if processes.isEmpty { problems.append("\(traceID): no processes") }
        for (key, process) in processes where !(process["serviceName"] is String) || !(process["tags"] is [Any]) {
            problems.append("\(traceID): process \(key) lacks serviceName or tags")
        }
        let spans = trace["spans"] as? [[String: Any]] ?? []
        if spans.isEmpty { problems.append("\(traceID): no spans") }
        for span in spans {
            let spanID = span["spanID"] as? String ?? ""
            if span["traceID"] as? String != traceID { problems.append("\(spanID): traceID") }
            if spanID.count != 16 || !spanID.allSatisfy(\.isHexDigit) { problems.append("spanID \(spanID)") }
            if !(span["operationName"] is String) { problems.append("\(spanID): operationName") }
            guard let start = span["startTime"] as? Int, let duration = span["duration"] as? Int, duration >= 0 else {
                problems.append("\(spanID): startTime/duration are not integers")
                continue
            }
            if !window.contains(UInt64(start)) { problems.append("\(spanID): startTime \(start) is not microseconds in the run") }
            guard let processID = span["processID"] as? String, processes[processID] != nil else {
                problems.append("\(spanID): processID not in processes")
                continue
            }
            for reference in span["references"] as? [[String: Any]] ?? [] {
                guard let type = reference["refType"] as? String, ["CHILD_OF", "FOLLOWS_FROM"].contains(type),
                    reference["traceID"] is String, reference["spanID"] is String
                else {
                    problems.append("\(spanID): reference \(reference)")
                    continue
                }
            }
            guard let tags = span["tags"] as? [[String: Any]] else {
                problems.append("\(spanID): tags is not a list")
                continue
            }
            for tag in tags {
                guard let key = tag["key"] as? String, let type = tag["type"] as? String, tagTypes.contains(type) else {
                    problems.append("\(spanID): tag \(tag)")
                    continue
                }
                let value = tag["value"]
                let typed =
                    switch type {
                    case "bool": value is Bool
                    case "int64": value is Int
                    case "float64": value is Double || value is Int
                    default: value is String
                    }
                if !typed { problems.append("\(spanID): tag \(key) of type \(type) holds \(String(describing: value))") }
            }
            if !tags.contains(where: { $0["key"] as? String == "span.kind" }) { problems.append("\(spanID): no span.kind tag") }
            if !(span["logs"] is [Any]) { problems.append("\(spanID): logs is not a list") }
        }
        return problems
    }

    /// GET `path` from the collector, 200 required, the body as a JSON object.
    static func get(_ port: Int, _ path: String) throws -> [String: Any] {
        let answer = AgentOutage.http("GET", port: port, path: path)
        try #require(answer.status == 200, "GET \(path): \(answer.status) \(answer.body.prefix(300))")
        return try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any], "GET \(path): not an object")
    }
}
