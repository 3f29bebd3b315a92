import ChoreoFlows
import ChoreoModel
import Testing

@testable import ChoreoCLI

/// The text view of huge flows (issue 17): no recursion over the causation chain, long runs
/// folded, line length bounded, every step reachable with `--expand` and paging. 20,000 steps
/// keep a debug run short; a recursive walk overflows a test thread's stack well before that
/// (the issue saw SIGSEGV at 20,000 on the main thread), and indentation growing with depth
/// would write 10^9 characters. BENCHMARKS.md (large flows) runs 100,000 in release through the collector and CLI.
@Suite("FlowTreeRenderer, large flows")
struct LargeFlowTreeTests {
    typealias F = Fixtures
    static let count = 20_000

    /// `count` steps: one chain (each caused by the one before) or a fan-out (all caused by the first).
    static func flow(count: Int = count, chain: Bool, breakAt broken: Int? = nil) -> Flow {
        let steps = (0..<count).map { i in
            F.step(
                "m\(i)", i == 0 ? "BatchStarted" : "ItemReserved", from: "bulk",
                causedBy: i == 0 ? nil : "m\(chain ? i - 1 : 0)", at: UInt64(i),
                deliveries: [
                    i == broken
                        ? F.delivery("worker", .deadLettered, attempts: 3, failed: 3, error: "out of stock")
                        : F.delivery("worker", .handled)
                ])
        }
        return Flow(
            correlationID: "big", status: .completed, outcome: "ItemReserved",
            traceIDs: (0..<count).map { TraceID(high: 1, low: UInt64($0 + 1)) }, startedAtUnixNano: F.t0,
            endedAtUnixNano: F.ms(UInt64(count)), steps: steps, waitingFor: nil, gaps: 0)
    }

    func lines(_ text: String) -> [Substring] { text.split(separator: "\n") }

    @Test("a chain 20,000 deep folds into its first and last steps, without recursion", arguments: [true, false])
    func folded(chain: Bool) throws {
        let text = FlowTreeRenderer().render(Self.flow(chain: chain))
        let all = lines(text)
        #expect(all.count < 40, "\(all.count) lines")
        #expect(text.contains("BatchStarted (m0)"))
        #expect(text.contains("ItemReserved (m1)"))
        #expect(text.contains("ItemReserved (m19999)"))
        #expect(text.contains("… 19,997 more ItemReserved (show with --expand)"))
        #expect(try #require(F.line(containing: "traces", in: text)).contains("20,000 ("))
    }

    @Test("--expand shows every step once, in order, with bounded indentation", arguments: [true, false])
    func expanded(chain: Bool) {
        let text = FlowTreeRenderer(expand: true).render(Self.flow(chain: chain))
        let steps = lines(text).filter { $0.contains(" from bulk") }
        #expect(steps.count == Self.count)
        for (i, line) in steps.enumerated() where !line.contains("(m\(i))") {
            Issue.record("line \(i) is \(line)")
            break
        }
        let widest = lines(text).filter { $0.contains(" from bulk") || $0.contains("worker") }.map(\.count).max() ?? 0
        #expect(widest < 3 * FlowTreeRenderer.maxIndentLevels + 100)
    }

    @Test("a failed step inside a run stays visible and splits the run")
    func failureVisible() {
        let text = FlowTreeRenderer().render(Self.flow(chain: true, breakAt: 10_000))
        #expect(text.contains("ItemReserved (m10000)"))
        #expect(text.contains("✗ worker: dead_lettered (3 attempts, 3 failed) error: out of stock"))
        // m1 … m9999 and m10001 … m19999: each shows its first and last step.
        #expect(text.ranges(of: "… 9,997 more ItemReserved").count == 2)
        #expect(text.contains("ItemReserved (m9999)"))
        #expect(text.contains("ItemReserved (m10001)"))
    }

    @Test("--from and --limit page through the steps in tree order")
    func paging() {
        let flow = Self.flow(count: 1000, chain: true)
        let text = FlowTreeRenderer(expand: true, page: .init(from: 10, limit: 5)).render(flow)
        let steps = lines(text).filter { $0.contains(" from bulk") }
        #expect(steps.map { String($0.split(separator: "(")[1].split(separator: ")")[0]) } == ["m10", "m11", "m12", "m13", "m14"])
        #expect(text.contains("… 985 more steps (show with --from 15)"))
    }

    @Test("short runs are not folded")
    func shortRuns() {
        let text = FlowTreeRenderer().render(Self.flow(count: 4, chain: true))
        #expect(!text.contains("more ItemReserved"))
        #expect(lines(text).filter { $0.contains(" from bulk") }.count == 4)
    }
}
