import ChoreoServer
import ChoreoCollector
import Foundation
import Testing

@Suite("Collector start-up validation")
struct StartupValidationTests {
    static let token = try! AccessToken("s3cret")

    @Test(
        "beyond loopback both tokens are needed unless --insecure",
        arguments: [
            // (host, ingest token, query token, insecure, refused)
            ("127.0.0.1", false, false, false, false),
            ("localhost", false, false, false, false),
            ("::1", false, false, false, false),
            ("0.0.0.0", false, false, false, true),
            ("0.0.0.0", true, false, false, true),
            ("0.0.0.0", false, true, false, true),
            ("10.1.2.3", true, true, false, false),
            ("0.0.0.0", false, false, true, false),
            ("::", true, false, true, false),
        ] as [(String, Bool, Bool, Bool, Bool)])
    func exposure(host: String, ingest: Bool, query: Bool, insecure: Bool, refused: Bool) {
        var configuration = CollectorConfiguration(host: host)
        configuration.ingestToken = ingest ? Self.token : nil
        configuration.queryToken = query ? Self.token : nil
        do {
            try configuration.validateExposure(allowInsecure: insecure)
            #expect(!refused, "\(host) should have been refused")
        } catch {
            #expect(refused, "\(host) refused: \(error.message)")
            #expect(error.code == .exposedWithoutTokens)
            #expect(error.message.contains("--insecure"), "the message names the way out")
            if !ingest { #expect(error.message.contains("--ingest-token-file")) }
            if !query { #expect(error.message.contains("--query-token-file")) }
        }
    }

    @Test("a token file holds one token; surrounding whitespace is trimmed")
    func loadsTrimmed() throws {
        let path = try Fixtures.temporaryPath("token")
        try "  abc.DEF-123_~\n\n".write(toFile: path, atomically: true, encoding: .utf8)
        let token = try AccessToken.load(file: path, flag: "--ingest-token-file")
        #expect(token.matches(Array("abc.DEF-123_~".utf8)))
        #expect(!token.matches(Array("abc.DEF-123_".utf8)))
        #expect(!token.matches(Array("abc.DEF-123_~~".utf8)))
        #expect(!token.matches(Array("ABC.DEF-123_~".utf8)))
        #expect(!token.matches([UInt8]()))
        #expect(!"\(token)".contains("abc"), "a token never prints")
    }

    @Test(
        "an empty, unreadable or multi-token file is refused with a message naming the flag and file",
        arguments: [
            ("", ConfigurationError.Code.tokenFileEmpty),
            ("  \n\t\n", .tokenFileEmpty),
            ("two tokens", .tokenMalformed),
            ("line1\nline2", .tokenMalformed),
            ("tøken", .tokenMalformed),
            (nil, .tokenFileUnreadable),
        ] as [(String?, ConfigurationError.Code)])
    func refusesBadFiles(content: String?, code: ConfigurationError.Code) throws {
        let path = try Fixtures.temporaryPath("token")
        if let content { try content.write(toFile: path, atomically: true, encoding: .utf8) }
        let error = #expect(throws: ConfigurationError.self) {
            try AccessToken.load(file: path, flag: "--query-token-file")
        }
        #expect(error?.code == code)
        #expect(error?.message.contains("--query-token-file \(path)") == true)
    }
}
