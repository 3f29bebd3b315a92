import ChoreoServer
import ChoreoAgent
import Foundation
import Testing

@Suite("Agent start-up validation")
struct AgentStartupValidationTests {
    @Test(
        "beyond loopback the receiver needs an ingest token unless --insecure",
        arguments: [
            // (host, ingest token, insecure, refused)
            ("127.0.0.1", false, false, false),
            ("127.0.0.53", false, false, false),
            ("localhost", false, false, false),
            ("0.0.0.0", false, false, true),
            ("192.168.1.9", false, false, true),
            ("0.0.0.0", true, false, false),
            ("0.0.0.0", false, true, false),
        ] as [(String, Bool, Bool, Bool)])
    func exposure(host: String, token: Bool, insecure: Bool, refused: Bool) throws {
        var configuration = AgentConfiguration(host: host)
        configuration.ingestToken = token ? try AccessToken("t0ken") : nil
        configuration.collectorToken = try AccessToken("not-an-ingest-token")
        do {
            try configuration.validateExposure(allowInsecure: insecure)
            #expect(!refused, "\(host) should have been refused")
        } catch {
            #expect(refused, "\(host) refused: \(error.message)")
            #expect(error.code == .exposedWithoutTokens)
            #expect(error.message.contains("--ingest-token-file") && error.message.contains("--insecure"))
        }
    }

    @Test(
        "the batch size may not exceed the collector's span limit, and no upstream limit may be unusable",
        arguments: [
            // (batch size, upstream limits, refused with, flags the message names)
            (4096, UpstreamLimits(), nil, []),
            (10_000, UpstreamLimits(), nil, []),
            (10_001, UpstreamLimits(), UpstreamLimitsError.Code.batchOverLimit, ["--batch-size", "--upstream-max-spans-per-request"]),
            (100, UpstreamLimits(maxSpansPerRequest: 50), .batchOverLimit, ["--batch-size", "--upstream-max-spans-per-request"]),
            (1, UpstreamLimits(maxSpansPerRequest: 0), .limitTooSmall, ["--upstream-max-spans-per-request"]),
            (1, UpstreamLimits(maxBodyBytes: 100), .limitTooSmall, ["--upstream-max-body-bytes"]),
            (1, UpstreamLimits(maxDecompressedBytes: 0), .limitTooSmall, ["--upstream-max-decompressed-bytes"]),
        ] as [(Int, UpstreamLimits, UpstreamLimitsError.Code?, [String])])
    func upstreamLimits(batch: Int, limits: UpstreamLimits, code: UpstreamLimitsError.Code?, flags: [String]) {
        let configuration = AgentConfiguration(batchMaxSpans: batch, upstream: limits)
        do {
            try configuration.validateUpstreamLimits()
            #expect(code == nil, "batch \(batch) with \(limits) should have been refused")
        } catch {
            #expect(error.code == code, "\(error.message)")
            for flag in flags { #expect(error.message.contains(flag), "\(error.message) names \(flag)") }
        }
    }

    @Test(
        "token files: trimmed when good, refused with the flag and path when empty, unreadable or two tokens",
        arguments: [
            ("secret\n", nil), ("\n", ConfigurationError.Code.tokenFileEmpty), ("a b", .tokenMalformed), (nil, .tokenFileUnreadable),
        ] as [(String?, ConfigurationError.Code?)])
    func tokenFiles(content: String?, code: ConfigurationError.Code?) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("choreo-agent-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("token").path
        if let content { try content.write(toFile: path, atomically: true, encoding: .utf8) }
        do {
            let token = try AccessToken.load(file: path, flag: "--collector-token-file")
            #expect(code == nil)
            #expect(token.matches(Array("secret".utf8)))
        } catch {
            #expect(error.code == code)
            #expect(error.message.contains("--collector-token-file \(path)"))
        }
    }
}
