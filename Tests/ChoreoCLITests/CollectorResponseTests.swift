import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import Testing

@testable import ChoreoCLI

@Suite("CollectorResponse")
struct CollectorResponseTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("a 404 on a lookup by id is not-found (exit 1) with the caller's message")
    func notFound() {
        let error = #expect(throws: CLIError.self) {
            try CollectorResponse.decode(
                Flow.self, status: 404, body: bytes(#"{"error":"nope"}"#), url: "u",
                notFound: "no flow with correlation id \"x\"")
        }
        #expect(error?.code == .notFound)
        #expect(error?.exitCode == 1)
        #expect(error?.message == "no flow with correlation id \"x\"")
    }

    @Test("a 404 on the list is unexpected (exit 3)")
    func listNotFound() {
        let error = #expect(throws: CLIError.self) {
            try CollectorResponse.decode([FlowSummary].self, status: 404, body: [], url: "http://c/api/v1/flows", notFound: nil)
        }
        #expect(error?.code == .unexpectedResponse)
        #expect(error?.exitCode == 3)
        #expect(error?.message.contains("unexpected status 404") == true)
    }

    @Test("other statuses are unexpected and quote the collector's error", arguments: [400, 500, 503])
    func unexpected(status: Int) {
        let error = #expect(throws: CLIError.self) {
            try CollectorResponse.decode(
                [FlowSummary].self, status: status, body: bytes(#"{"error":"limit must be a whole number"}"#),
                url: "http://c/api/v1/flows", notFound: nil)
        }
        #expect(error?.exitCode == 3)
        #expect(error?.message.hasSuffix("unexpected status \(status): limit must be a whole number") == true)
    }

    @Test("401 and 403 point at the token", arguments: [401, 403])
    func unauthorized(status: Int) {
        let error = #expect(throws: CLIError.self) {
            try CollectorResponse.decode(TraceDocument.self, status: status, body: [], url: "u", notFound: "x")
        }
        #expect(error?.exitCode == 3)
        #expect(error?.message.contains("CHOREO_TOKEN") == true)
    }

    @Test("a 200 that breaks the contract says which key is wrong")
    func badBody() {
        let error = #expect(throws: CLIError.self) {
            try CollectorResponse.decode([FlowSummary].self, status: 200, body: bytes(#"[{"correlation_id":"a"}]"#), url: "u", notFound: nil)
        }
        #expect(error?.code == .unexpectedResponse)
        #expect(error?.message.contains("missing key \"status\" at [0]") == true)
    }

    @Test("a 200 decodes the trace document")
    func trace() throws {
        let body = #"{"trace_id":"\#(Fixtures.traceID.hex)","spans":[]}"#
        let document = try CollectorResponse.decode(TraceDocument.self, status: 200, body: bytes(body), url: "u", notFound: "x")
        #expect(document.traceID == Fixtures.traceID)
        #expect(document.spans.isEmpty)
    }
}
