import ChoreoModel
import Testing

@testable import ChoreoCLI

@Suite("FlowTableRenderer")
struct FlowTableRendererTests {
    let flows = [
        Fixtures.summary("o-1", .completed, outcome: "OrderCompleted"),
        Fixtures.summary("order-2026-05-01-very-long-correlation-id-0000000000001", .compensated, outcome: "OrderCancelled", steps: 12, comp: 2),
        Fixtures.summary("o-3", .inFlight, steps: 1),
        Fixtures.summary("o-4", .failed, steps: 7, err: 3),
    ]

    /// The character offset of `needle` in `line`.
    func column(_ needle: String, in line: String) throws -> Int {
        let range = try #require(line.firstRange(of: needle))
        return line.distance(from: line.startIndex, to: range.lowerBound)
    }

    @Test("every column starts at the same offset on every row, whatever the id length")
    func alignment() throws {
        let lines = FlowTableRenderer().render(flows).split(separator: "\n").map(String.init)
        let header = lines[0]
        #expect(header.hasPrefix("CORRELATION ID"))
        let statusColumn = try column("STATUS", in: header)
        let outcomeColumn = try column("OUTCOME", in: header)
        let startedColumn = try column("STARTED", in: header)
        #expect(statusColumn == flows[1].correlationID.count + 2)
        for (flow, line) in zip(flows, lines.dropFirst()) {
            #expect(try column(flow.status.rawValue, in: line) == statusColumn)
            #expect(try column(flow.outcome ?? " -", in: line) == outcomeColumn + (flow.outcome == nil ? -1 : 0))
            #expect(try column("2026-05-01T12:00:00.000Z", in: line) == startedColumn)
        }
    }

    @Test("numeric columns are right-aligned under their headers")
    func rightAligned() throws {
        let lines = FlowTableRenderer().render(flows).split(separator: "\n").map(String.init)
        let stepsEnd = try column("STEPS", in: lines[0]) + "STEPS".count
        let errEnd = try column(" ERR", in: lines[0]) + " ERR".count
        let row = lines[2]  // the long id, 12 steps, 2 compensations
        #expect(try column("12 ", in: row) + 2 == stepsEnd)
        let failed = lines[4]  // 3 errors
        #expect(try column(" 3  ", in: failed) + 2 == errEnd)
    }

    @Test("a count line follows the table; an absent outcome shows a dash; no trailing spaces")
    func countAndDash() throws {
        let text = FlowTableRenderer().render(flows)
        #expect(text.hasSuffix("\n\n4 flows\n"))
        let lines = text.split(separator: "\n").map(String.init)
        let inFlight = try #require(Fixtures.line(containing: "o-3", in: text))
        let outcome = inFlight.dropFirst(try column("OUTCOME", in: lines[0]))
        #expect(outcome.hasPrefix("- "))
        for line in text.split(separator: "\n") { #expect(line.last != " ") }
        #expect(FlowTableRenderer().render([flows[0]]).hasSuffix("\n1 flow\n"))
    }

    @Test("reaching the limit says more may exist")
    func limitReached() {
        #expect(FlowTableRenderer().render(flows, limit: 4).contains("4 flows (limit reached"))
        #expect(!FlowTableRenderer().render(flows, limit: 5).contains("limit reached"))
    }

    @Test("no flows is said in words, not as an empty table")
    func empty() {
        #expect(FlowTableRenderer().render([]) == "no flows match\n")
    }

    @Test("colour wraps the status without moving the columns")
    func colourKeepsAlignment() throws {
        let coloured = FlowTableRenderer(palette: Palette(isEnabled: true)).render(flows)
        let plain = FlowTableRenderer().render(flows)
        #expect(coloured.contains("\u{1B}[31mfailed\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[32mcompleted\u{1B}[0m"))
        let stripped = coloured.replacing(/\x{1B}\[[0-9;]*m/, with: "")
        #expect(stripped == plain)
    }
}
