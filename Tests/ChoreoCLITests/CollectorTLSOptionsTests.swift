import ArgumentParser
import Testing

@testable import ChoreoCLI

/// `--ca-file`, `--cert-file`, `--key-file` (and `CHOREO_CA_FILE`): usage errors before any request.
@Suite("CLI TLS options")
struct CollectorTLSOptionsTests {
    func options(_ arguments: [String]) throws -> CollectorOptions {
        try CollectorOptions.parse(arguments)
    }

    @Test("TLS files with an http:// collector are a usage error")
    func httpURL() throws {
        let options = try options(["--collector", "http://127.0.0.1:4320", "--ca-file", "/tmp/ca.pem"])
        let endpoint = try options.endpoint(environment: [:])
        let error = #expect(throws: CLIError.self) { try options.tlsConfiguration(for: endpoint, environment: [:]) }
        #expect(error?.code == .usage && error?.message.contains("https://") == true, "\(error?.message ?? "")")
    }

    @Test("a missing --ca-file (or CHOREO_CA_FILE) is a usage error naming it")
    func missingFile() throws {
        let options = try options(["--collector", "https://127.0.0.1:4320"])
        let endpoint = try options.endpoint(environment: [:])
        #expect(try options.tlsConfiguration(for: endpoint, environment: [:]) == nil)
        let error = #expect(throws: CLIError.self) {
            try options.tlsConfiguration(for: endpoint, environment: ["CHOREO_CA_FILE": "/nonexistent/ca.pem"])
        }
        #expect(error?.code == .usage, "exit 2")
        #expect(error?.message.contains("--ca-file /nonexistent/ca.pem") == true && error?.message.contains("no such file") == true)
    }

    @Test("--cert-file without --key-file is a usage error")
    func certificateWithoutKey() throws {
        let options = try options(["--collector", "https://127.0.0.1:4320", "--cert-file", "/tmp/c.pem"])
        let endpoint = try options.endpoint(environment: [:])
        let error = #expect(throws: CLIError.self) { try options.tlsConfiguration(for: endpoint, environment: [:]) }
        #expect(error?.message.contains("--key-file") == true)
    }
}
