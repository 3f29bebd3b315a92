import ArgumentParser
import Testing

@testable import ChoreoCLI

@Suite("Exit codes")
struct ExitCodeTests {
    @Test(
        "each error code maps to its exit status",
        arguments: [
            (CLIError.Code.notFound, Int32(1)), (.usage, 2), (.unreachable, 3), (.unexpectedResponse, 3),
        ])
    func codes(code: CLIError.Code, status: Int32) {
        #expect(ChoreoCommand.exitCode(forError: CLIError(code, "m")) == status)
        #expect(ChoreoCommand.message(for: CLIError(code, "no flow with correlation id \"x\"")) == "Error: no flow with correlation id \"x\"")
    }

    static let parserCases: [([String], Int32)] = [
        (["flows", "list", "--bogus"], 2),
        (["flows", "list", "--limit", "many"], 2),
        (["flows", "show"], 2),
        (["traces"], 0),
        (["--help"], 0),
        (["flows", "list", "--help"], 0),
        (["nonsense"], 2),
    ]

    @Test("parser errors are usage errors (2) and help is success (0)", arguments: parserCases)
    func parserErrors(arguments: [String], status: Int32) {
        do {
            var command = try ChoreoCommand.parseAsRoot(arguments)
            // A group without a subcommand prints its help.
            try command.run()
            Issue.record("expected \(arguments) to stop before running")
        } catch {
            #expect(ChoreoCommand.exitCode(forError: error) == status)
            #expect(!ChoreoCommand.message(for: error).isEmpty)
        }
    }

    @Test("invalid values are usage errors before any request is made")
    func localValidation() throws {
        let list = try #require(try ChoreoCommand.parseAsRoot(["flows", "list", "--since", "yesterday"]) as? FlowsListCommand)
        #expect(
            throws: CLIError.usage(
                "invalid --since \"yesterday\": expected a duration such as 30s, 15m, 1h, 2d (or 1h30m) or an RFC 3339 time such as 2026-05-01T12:00:00Z"
            )
        ) { try list.query(now: Fixtures.t0) }

        let get = try #require(try ChoreoCommand.parseAsRoot(["traces", "get", "xyz"]) as? TracesGetCommand)
        let error = #expect(throws: CLIError.self) { try get.validatedTraceID() }
        #expect(error?.exitCode == 2)
        let zero = try #require(try ChoreoCommand.parseAsRoot(["traces", "get", String(repeating: "0", count: 32)]) as? TracesGetCommand)
        #expect(throws: CLIError.self) { try zero.validatedTraceID() }
        let upper = try #require(try ChoreoCommand.parseAsRoot(["traces", "get", Fixtures.traceID.hex.uppercased()]) as? TracesGetCommand)
        #expect(try upper.validatedTraceID() == Fixtures.traceID)
    }

    @Test("run returns the usage status for bad input without touching the network")
    func runMapsStatus() async {
        #expect(await ChoreoCommand.run(arguments: ["traces", "get", "not-hex", "--collector", "http://127.0.0.1:9"]) == 2)
        #expect(await ChoreoCommand.run(arguments: ["flows", "list", "--collector", "gopher://x"]) == 2)
        #expect(await ChoreoCommand.run(arguments: ["flows", "list", "--since", "5x"]) == 2)
    }
}
