import ChoreoFlows
import ChoreoModel
import Foundation
import Testing

@testable import ChoreoCLI

/// `flows show --json` through a collector lays out the collector's compact JSON instead of
/// decoding and re-encoding it (issue 17): the bytes must equal what the re-encoding printed.
@Suite("JSONOutput.prettyPrinted")
struct JSONReindentTests {
    typealias F = Fixtures

    func compact(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    @Test("a flow's compact JSON laid out equals JSONOutput.string of the flow, byte for byte")
    func sameBytes() throws {
        let hostile = "a \"quoted\" {brace} [x], k: v \\ back\\slash / tab\t é ✓ \u{1}"
        let flow = F.flow(
            [
                F.step("m1", "OrderPlaced", from: hostile, at: 0, deliveries: [F.delivery("payment", .handled)]),
                F.step(
                    "m2", "Refund{}", from: "payment", causedBy: "m1", compensates: "m1", at: 5,
                    deliveries: [F.delivery("c:[]", .deadLettered, attempts: 3, failed: 3, error: hostile)]),
                F.step("m3", "", from: "x", causedBy: "nope", at: 9),
            ], status: .failed, outcome: nil, gaps: 1)
        let expected = try JSONOutput.string(flow)
        #expect(JSONOutput.prettyPrinted(compact: try compact(flow)) == expected)
        #expect(expected.contains("[\n\n"), "the fixture has an empty array")
        let big = LargeFlowTreeTests.flow(count: 2000, chain: true)
        #expect(JSONOutput.prettyPrinted(compact: try compact(big)) == (try JSONOutput.string(big)))
    }

    @Test("nested empty containers and scalars at the top level")
    func shapes() throws {
        struct Shape: Encodable {
            var a: [[Int]] = [[], [1]]
            var b: [String: [String: Int]] = ["x": [:]]
            var c: Double = 1.5
            var d: Bool = true
            var e: String? = nil
            func encode(to encoder: any Encoder) throws {
                enum K: String, CodingKey { case a, b, c, d, e }
                var c = encoder.container(keyedBy: K.self)
                try c.encode(a, forKey: .a)
                try c.encode(b, forKey: .b)
                try c.encode(self.c, forKey: .c)
                try c.encode(d, forKey: .d)
                try c.encode(e, forKey: .e)
            }
        }
        #expect(JSONOutput.prettyPrinted(compact: try compact(Shape())) == (try JSONOutput.string(Shape())))
        #expect(JSONOutput.prettyPrinted(compact: try compact([String]())) == (try JSONOutput.string([String]())))
        #expect(JSONOutput.prettyPrinted(compact: try compact(42)) == (try JSONOutput.string(42)))
    }
}
