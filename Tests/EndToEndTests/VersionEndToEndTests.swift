import ChoreoModel
import Foundation
import Testing

/// Every executable the package builds answers `--version` with its name and the one version
/// of the project, and the agent refuses a `--collector-header` it cannot send at start-up.
@Suite("Executables: --version and start-up refusals")
struct VersionEndToEndTests {
    @Test(
        "--version prints '<name> <version>' and exits 0",
        arguments: ["choreo", "choreo-collector", "choreo-agent", "order-fulfilment"])
    func version(executable: String) throws {
        let harness = try ProcessHarness()
        let result = try harness.run(executable, ["--version"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "\(executable) \(ChoreoVersion.current)\n")
    }

    @Test(
        "the agent refuses a --collector-header it cannot send, naming the flag, before it binds",
        arguments: [
            ["--collector-header", "X-Tenant"],
            ["--collector-header", "X-Tenant=a\r\nX-Injected: 1"],
            ["--collector-header", "Content-Type=text/plain"],
            ["--collector-header", "X-Tenant=a", "--collector-header", "x-tenant=b"],
        ])
    func refusesHeader(arguments: [String]) throws {
        let harness = try ProcessHarness()
        let port = try ProcessHarness.freePort()
        // `--spool-max-bytes 1` is refused after the headers are checked: an agent that let the
        // header through exits on it (with another message) rather than running on.
        let result = try harness.run(
            "choreo-agent", ["--listen", "127.0.0.1:\(port)", "--collector", "http://127.0.0.1:9", "--spool-max-bytes", "1"] + arguments)
        #expect(result.status == 64, "a usage error; \(result.stderr)")
        #expect(result.stderr.hasPrefix("Error: --collector-header"), "\(result.stderr)")
        #expect(!result.stderr.contains("\r"), "the refused value is not echoed raw")
    }
}
