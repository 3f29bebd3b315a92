import ChoreoModel
import ChoreoOTLP
import ChoreoTestSupport
import Dispatch
import Foundation
import Synchronization
import Testing

/// Huge flows through the real processes (issue 17): a flow of 100,000 messages in one causation
/// chain and one fanned out 100,000 wide (200,000 spans each, every step its own trace) sent as
/// OTLP/protobuf to a real collector on SQLite, then read through the real CLI (`flows show`
/// text and `--json`, `flows export` as Mermaid, DOT and XES), the API (a page of steps, the
/// outline) and the dashboard's flow page in headless Chromium. Every answer must be whole: each
/// step present, in order. Times are BENCHMARKS.md's business (§8, release builds); here only
/// that each answers, within the generous time limit of a debug build.
///
/// `CHOREO_LARGE_FLOW_MESSAGES` sets the size (default 100,000) for a quicker run by hand.
@Suite("Large flows (end to end)", .serialized, .timeLimit(.minutes(20)))
struct LargeFlowEndToEndTests {
    static let messages = ProcessInfo.processInfo.environment["CHOREO_LARGE_FLOW_MESSAGES"].flatMap { Int($0) }.map { max(10, $0) } ?? 100_000

    struct Sent {
        var correlationID: String
        var chain: Bool
    }

    @Test("a 100,000-message chain and a 100,000-wide fan-out: flows show (text, JSON), the exports, the API and the dashboard's flow page answer whole")
    func hugeFlowsAnswerWhole() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let base = try await harness.startCollector(db: "large.sqlite")

        let count = Self.messages
        let clock = ContinuousClock()
        var mark = clock.now
        func phase(_ name: String) {
            print("large flows: \(name) took \(clock.now - mark)")
            mark = clock.now
        }
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let flows = [Sent(correlationID: "LARGE-chain-\(suffix)", chain: true), Sent(correlationID: "LARGE-fanout-\(suffix)", chain: false)]
        // Recent enough for any retention; step i at start + i ms.
        let start = UInt64(Date().timeIntervalSince1970 * 1e9) - UInt64(count + 600_000) * 1_000_000
        // Both flows at once: the test's encoding and the collector's ingest use both cores.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, flow) in flows.enumerated() {
                group.addTask {
                    let spans = LargeFlows.spans(flow.correlationID, count: count, chain: flow.chain, base: start, traceHigh: 0xA0 + UInt64(index))
                    try await Self.send(spans, to: base)
                }
            }
            try await group.waitForAll()
        }
        phase("sending \(4 * count) spans")
        try await Self.waitUntilIndexed(flows.map(\.correlationID), steps: count, base: base)
        phase("indexing")

        // Each CLI command of each flow, two at a time (one collector, one CLI busy).
        let commands = flows.flatMap { flow in CLICommand.allCases.map { (flow, $0) } }
        let outputs = Mutex<[String: String]>([:])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: commands.count) { index in
            let (flow, command) = commands[index]
            let arguments = command.arguments(flow.correlationID)
            do {
                let started = ContinuousClock.now
                let result = try harness.run("choreo", arguments + ["--collector", base])
                print("large flows: choreo \(arguments.joined(separator: " ")) took \(ContinuousClock.now - started)")
                guard result.status == 0 else {
                    failures.withLock { $0.append("choreo \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr.prefix(500))") }
                    return
                }
                outputs.withLock { $0["\(flow.correlationID) \(command)"] = String(decoding: result.stdout, as: UTF8.self) }
            } catch {
                failures.withLock { $0.append("choreo \(arguments.joined(separator: " ")): \(error)") }
            }
        }
        try #require(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        phase("the CLI commands")
        for flow in flows {
            try Self.checkCLI(flow, count: count) { outputs.withLock { $0 }["\(flow.correlationID) \($0)"] ?? "" }
            try await Self.checkAPI(flow, count: count, base: base)
        }
        phase("checking the CLI's output and the API")
        if let chromium = Chromium.installed {
            for flow in flows { try await Self.checkDashboard(flow, count: count, chromium: chromium, harness: harness, base: base) }
            phase("the dashboard")
        } else {
            print("large flows: headless Chromium is not installed (apt-get install -y chromium): the dashboard's flow page was skipped")
        }
    }

    /// The CLI commands run on each flow.
    enum CLICommand: CaseIterable {
        case firstPage, folded, json, mermaid, dot, xes

        func arguments(_ id: String) -> [String] {
            switch self {
            case .firstPage: ["flows", "show", id, "--limit", "50"]
            case .folded: ["flows", "show", id]
            case .json: ["flows", "show", id, "--json"]
            case .mermaid: ["flows", "export", id, "--format", "mermaid"]
            case .dot: ["flows", "export", id, "--format", "dot"]
            case .xes: ["flows", "export", id, "--format", "xes"]
            }
        }
    }

    /// Posts `spans` as OTLP/protobuf in requests of 2,000 spans.
    static func send(_ spans: [SpanRecord], to base: String) async throws {
        for chunk in stride(from: 0, to: spans.count, by: 2_000) {
            let body = try OTLPProtobuf.encodeRequest(Array(spans[chunk..<min(chunk + 2_000, spans.count)]))
            let status = try await DashboardHTTP.post("\(base)/v1/traces", Data(body), contentType: "application/x-protobuf")
            try #require(status == 200, "spans \(chunk)..< refused: HTTP \(status)")
        }
    }

    /// Polls the flow list until each flow's index entry counts `steps` steps (stored and indexed).
    static func waitUntilIndexed(_ ids: [String], steps: Int, base: String) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(600)
        var seen: [String: Int] = [:]
        while clock.now < deadline {
            let response = try await DashboardHTTP.get("\(base)/api/v1/flows?limit=100")
            if response.status == 200, let list = try JSONSerialization.jsonObject(with: response.body) as? [[String: Any]] {
                for entry in list {
                    if let id = entry["correlation_id"] as? String, let count = entry["step_count"] as? Int { seen[id] = count }
                }
                if ids.allSatisfy({ seen[$0] == steps }) { return }
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        Issue.record("not indexed within 600 s: steps seen \(seen)")
        throw CancellationError()
    }

    /// The CLI's answers (`output` of each command): the text view's first page and its folded
    /// whole, the JSON with every step in order, and each export with one line or event per step.
    static func checkCLI(_ flow: Sent, count: Int, output: (CLICommand) -> String) throws {
        let id = flow.correlationID
        let firstPage = output(.firstPage)
        #expect(firstPage.contains(id) && firstPage.contains("completed"), "the header: \(firstPage.prefix(400))")
        #expect(firstPage.contains("more steps (show with --from 50)"), "the first page says where the rest is: \(firstPage.suffix(400))")
        #expect(firstPage.split(separator: "\n").count < 200, "the first page is one page")
        let folded = output(.folded)
        #expect(folded.contains("\(id)-0") && folded.contains("\(id)-\(count - 1)"), "the folded view shows the first and the last step")
        #expect(folded.utf8.count < 10_000_000, "the folded view is \(folded.utf8.count) bytes")

        let json = try #require(try JSONSerialization.jsonObject(with: Data(output(.json).utf8)) as? [String: Any])
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(json["status"] as? String == "completed")
        #expect(steps.count == count, "\(steps.count) steps in the JSON")
        #expect(steps.map { $0["message_id"] as? String ?? "" } == (0..<count).map { "\(id)-\($0)" }, "the steps in causal order")

        #expect(output(.mermaid).split(separator: "\n").count { $0.contains("->>") } == count, "one Mermaid message per step")
        #expect(output(.dot).split(separator: "\n").count { $0.contains(" -> ") } == count - 1, "one DOT edge per causation")
        #expect(output(.xes).components(separatedBy: "<event>").count - 1 == count, "one XES event per step")
    }

    /// The API: one page of steps with the whole flow's counts, and the outline the text view reads first.
    static func checkAPI(_ flow: Sent, count: Int, base: String) async throws {
        let id = flow.correlationID
        let page = try await DashboardHTTP.get("\(base)/api/v1/flows/\(id)?steps_from=\(count - 100)&steps_limit=100")
        try #require(page.status == 200, "a page of steps: HTTP \(page.status)")
        let paged = try #require(try JSONSerialization.jsonObject(with: page.body) as? [String: Any])
        let steps = try #require(paged["steps"] as? [[String: Any]])
        #expect(steps.map { $0["message_id"] as? String ?? "" } == ((count - 100)..<count).map { "\(id)-\($0)" }, "the last page of steps")
        #expect(paged["steps_total"] as? Int == count, "the whole flow's step count with a page: \(String(describing: paged["steps_total"]))")
        let outline = try await DashboardHTTP.get("\(base)/api/v1/flows/\(id)?outline=true&steps_limit=0&traces_limit=5")
        #expect(outline.status == 200, "the outline: HTTP \(outline.status)")
    }

    /// The dashboard's flow page in headless Chromium: it finishes loading, shows the whole
    /// flow's step count, and keeps the DOM small (folded or virtualised), not 100,000 rows.
    static func checkDashboard(_ flow: Sent, count: Int, chromium: Chromium, harness: ProcessHarness, base: String) async throws {
        let page = try await DevToolsPage(chromium: chromium, url: "\(base)/#/flow/\(flow.correlationID)", workDir: harness.workDir)
        let probe = """
            (() => { const v = document.getElementById('view');
              if (!v || v.dataset.loaded !== 'true' || !v.dataset.paintMs) return null;
              return { steps: Number(v.dataset.stepCount), paintMs: Number(v.dataset.paintAt),
                rows: document.querySelectorAll('table.steps tr.step').length,
                arrows: document.querySelectorAll('svg.sequence g.arrow').length,
                error: document.querySelector('.error') ? document.querySelector('.error').textContent : null }; })()
            """
        var state: [String: Any]?
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(180)
        while state == nil, clock.now < deadline {
            state = try page.evaluate(probe) as? [String: Any]
            if state == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        let shown = try #require(state, "the flow page of \(flow.correlationID) never finished loading")
        #expect(shown["steps"] as? Int == count, "the page's step count: \(shown)")
        #expect(shown["error"] is NSNull || shown["error"] == nil, "the page shows an error: \(shown)")
        let rows = try #require(shown["rows"] as? Int)
        let arrows = try #require(shown["arrows"] as? Int)
        #expect(rows > 0 && rows < 5_000, "\(rows) step rows in the DOM")
        #expect(arrows > 0 && arrows < 5_000, "\(arrows) arrows in the DOM")
        print("large flow \(flow.chain ? "chain" : "fan-out") of \(count): dashboard painted at \(shown["paintMs"] ?? "?") ms, \(rows) rows, \(arrows) arrows")
    }
}
