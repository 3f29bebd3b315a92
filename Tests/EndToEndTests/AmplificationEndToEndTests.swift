import ChoreoModel
import ChoreoOTLP
import ChoreoTestSupport
import Foundation
import Testing

/// Small bodies that decode to huge requests, posted to the real collector and agent: each is
/// refused with 413 quickly, and neither process's peak resident memory (`VmHWM`) passes the
/// budget README.md states for the default limits, even after the largest request they accept.
/// The agent forwards nowhere (its collector is down), so each process is measured on what one
/// sender posts to it.
@Suite("amplified bodies against the real collector and agent", .serialized, .timeLimit(.minutes(10)))
struct AmplificationEndToEndTests {
    /// Peak resident memory allowed with the default limits (README.md, "Limits and memory").
    static let budgetKiB = 512 * 1024
    /// "Quickly": far below what decoding the amplified request would take.
    static let answerWithin: Duration = .seconds(20)

    struct Attack {
        var name: String
        var body: [UInt8]
        var contentType: String
    }

    /// 8 million empty spans (2 bytes each): 16 MB that gzip to about 16 KB.
    static func emptySpans() -> Attack {
        var spans = [UInt8](repeating: 0, count: 16_000_000)
        for i in stride(from: 0, to: spans.count, by: 2) { spans[i] = 0x12 }
        return Attack(
            name: "8M empty spans (protobuf)", body: spans.lengthDelimited(field: 2).lengthDelimited(field: 1), contentType: OTLPHTTP.protobufContentType)
    }

    /// One span holding 20 million empty attributes (40 MB, under the 50 MiB decoded cap).
    static func emptyAttributes() -> Attack {
        var attributes = [UInt8](repeating: 0, count: 40_000_000)
        for i in stride(from: 0, to: attributes.count, by: 2) { attributes[i] = 0x4A }
        let body = attributes.lengthDelimited(field: 2).lengthDelimited(field: 2).lengthDelimited(field: 1)
        return Attack(name: "20M empty attributes (protobuf)", body: body, contentType: OTLPHTTP.protobufContentType)
    }

    /// The same two shapes in OTLP/JSON.
    static func jsonAttacks() -> [Attack] {
        let spans = #"{"resourceSpans":[{"scopeSpans":[{"spans":["# + String(repeating: "{},", count: 8_000_000) + "{}]}]}]}"
        let attributes =
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":["#
            + String(repeating: "{},", count: 10_000_000) + "{}]}]}]}]}"
        return [
            Attack(name: "8M empty spans (JSON)", body: Array(spans.utf8), contentType: OTLPHTTP.jsonContentType),
            Attack(name: "10M empty attributes (JSON)", body: Array(attributes.utf8), contentType: OTLPHTTP.jsonContentType),
        ]
    }

    /// 256 MiB of zeros: a gzip bomb of about 256 KB, five times the decoded-size cap.
    static func bomb() -> Attack {
        Attack(name: "256 MiB gzip bomb", body: [UInt8](repeating: 0, count: 256 << 20), contentType: OTLPHTTP.protobufContentType)
    }

    /// About the largest request the default limits accept: 10,000 valid spans (the span
    /// limit) of 31 attributes each (630,000 elements of the 640,000), with values long enough
    /// to bring it near the 50 MiB decoded-size cap.
    static func largestAccepted() throws -> [UInt8] {
        let start = UnixTime.nowNanos()
        let value = String(repeating: "v", count: 130)
        let spans = (0..<10_000).map { n in
            var attributes: [String: AttributeValue] = [:]
            for a in 0..<31 { attributes["attribute.\(a)"] = .string(value) }
            return SpanRecord(
                traceID: TraceID(high: 0xA11, low: UInt64(n / 100 + 1)), spanID: SpanID(UInt64(n + 1)), name: "large \(n)",
                startTimeUnixNano: start, endTimeUnixNano: start + 1000, attributes: attributes
            )
        }
        return try OTLPProtobuf.encodeRequest(spans)
    }

    @Test("each amplified body gets 413 quickly; peak memory of collector and agent stays under the budget")
    func amplifiedBodies() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let collectorPort = try ProcessHarness.freePort()
        let agentPort = try ProcessHarness.freePort()
        let collector = try harness.start(
            "choreo-collector",
            [
                "--listen", "127.0.0.1:\(collectorPort)", "--db", harness.workDir.appendingPathComponent("c.sqlite").path,
            ])
        let agent = try harness.start(
            "choreo-agent",
            [
                // Forwarding to a port where nothing listens: the agent keeps what it accepts, so each
                // process's peak is its own, for one sender's requests.
                "--listen", "127.0.0.1:\(agentPort)", "--collector", "http://127.0.0.1:\(try ProcessHarness.freePort())",
            ])
        try await ProcessHarness.waitForPort(collectorPort)
        try await ProcessHarness.waitForPort(agentPort)

        let attacks = [Self.emptySpans(), Self.emptyAttributes()] + Self.jsonAttacks()
        for attack in attacks + [Self.bomb()] {
            let gzipped = Gzip.compress(attack.body, level: 9)
            for (target, port) in [("collector", collectorPort), ("agent", agentPort)] {
                let clock = ContinuousClock()
                let started = clock.now
                let answer = AgentOutage.http(
                    "POST", port: port, path: "/v1/traces", body: gzipped, contentType: attack.contentType,
                    headers: ["Content-Encoding": "gzip"])
                let took = clock.now - started
                #expect(answer.status == 413, "\(target), \(attack.name) (\(gzipped.count) bytes gzipped): \(answer.status) \(answer.body.prefix(200))")
                #expect(took < Self.answerWithin, "\(target) took \(took) to refuse \(attack.name)")
            }
        }

        let largest = try Self.largestAccepted()
        #expect(largest.count > 45 << 20, "the largest request is near the cap: \(largest.count) bytes")
        for port in [agentPort, collectorPort] {
            let answer = AgentOutage.http(
                "POST", port: port, path: "/v1/traces", body: Gzip.compress(largest),
                contentType: OTLPHTTP.protobufContentType, headers: ["Content-Encoding": "gzip"],
                timeoutSeconds: 300)
            #expect(answer.status == 200, "the largest request within the limits is accepted: \(answer.status) \(answer.body.prefix(200))")
        }
        for (name, process) in [("choreo-collector", collector), ("choreo-agent", agent)] {
            #expect(process.isRunning, "\(name) survived: \(harness.log(name))")
            let peak = try #require(AgentOutage.memoryKiB(pid: process.processIdentifier, field: "VmHWM"))
            #expect(peak <= Self.budgetKiB, "\(name) peaked at \(peak / 1024) MiB, over the \(Self.budgetKiB / 1024) MiB budget")
            print("\(name): peak RSS \(peak / 1024) MiB")
        }
    }
}
