import ChoreoModel
import Testing

@Suite("W3C traceparent")
struct TraceParentTests {
    static let traceHex = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let spanHex = "00f067aa0ba902b7"

    struct Valid: CustomTestStringConvertible, Sendable {
        var header: String
        var flags: UInt8
        var testDescription: String { header }
    }

    @Test(
        "accepts valid headers and reads their fields",
        arguments: [
            Valid(header: "00-\(traceHex)-\(spanHex)-01", flags: 0x01),
            Valid(header: "00-\(traceHex)-\(spanHex)-00", flags: 0x00),
            Valid(header: "00-\(traceHex)-\(spanHex)-03", flags: 0x03),
            Valid(header: "00-\(traceHex)-\(spanHex)-ff", flags: 0xFF),
            // A future version of exactly 55 characters; only the sampled bit is kept.
            Valid(header: "cc-\(traceHex)-\(spanHex)-01", flags: 0x01),
            Valid(header: "01-\(traceHex)-\(spanHex)-03", flags: 0x01),
            Valid(header: "fe-\(traceHex)-\(spanHex)-02", flags: 0x00),
            // A future version may append dash-introduced fields.
            Valid(header: "cc-\(traceHex)-\(spanHex)-01-what-the-future-will-be-like", flags: 0x01),
            Valid(header: "cc-\(traceHex)-\(spanHex)-01-", flags: 0x01),
        ])
    func acceptsValid(_ valid: Valid) throws {
        let parent = try #require(TraceParent(valid.header))
        #expect(parent.traceID.hex == Self.traceHex)
        #expect(parent.spanID.hex == Self.spanHex)
        #expect(parent.flags == valid.flags)
        #expect(parent.isSampled == (valid.flags & 1 == 1))
    }

    @Test(
        "rejects headers that break a rule of the specification",
        arguments: [
            // version
            "ff-\(traceHex)-\(spanHex)-01",  // version 255 is forbidden
            "FF-\(traceHex)-\(spanHex)-01",
            "0A-\(traceHex)-\(spanHex)-01",  // upper-case version
            ".0-\(traceHex)-\(spanHex)-01",
            "0.-\(traceHex)-\(spanHex)-01",
            "000-\(traceHex)-\(spanHex)-01",
            "0000-\(traceHex)-\(spanHex)-01",
            "0-\(traceHex)-\(spanHex)-01",
            // version 00 must be exactly 55 characters
            "00-\(traceHex)-\(spanHex)-01.",
            "00-\(traceHex)-\(spanHex)-01-what-the-future-will-be-like",
            "00-\(traceHex)-\(spanHex)-01 ",
            " 00-\(traceHex)-\(spanHex)-01",
            "00-\(traceHex)-\(spanHex)-01\t",
            "00-\(traceHex)-\(spanHex)-01\n",
            // a future version's flags must end the string or be followed by a dash
            "cc-\(traceHex)-\(spanHex)-01.what-the-future-will-be-like",
            "cc-\(traceHex)-\(spanHex)-0",
            // trace id
            "00-00000000000000000000000000000000-\(spanHex)-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-\(spanHex)-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473G-\(spanHex)-01",
            "00-.bf92f3577b34da6a3ce929d0e0e4736-\(spanHex)-01",
            "00-4bf92f3577b34da6a3ce929d0e0e47361-\(spanHex)-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-\(spanHex)-01",
            // parent id
            "00-\(traceHex)-0000000000000000-01",
            "00-\(traceHex)-00F067AA0BA902B7-01",
            "00-\(traceHex)-00f067aa0ba902b.-01",
            "00-\(traceHex)-00f067aa0ba902b71-01",
            "00-\(traceHex)-00f067aa0ba902b-01",
            // flags
            "00-\(traceHex)-\(spanHex)-0G",
            "00-\(traceHex)-\(spanHex)-.0",
            "00-\(traceHex)-\(spanHex)-0A",
            "00-\(traceHex)-\(spanHex)-011",
            "00-\(traceHex)-\(spanHex)-0",
            // dashes and shape
            "00_\(traceHex)-\(spanHex)-01",
            "00-\(traceHex)_\(spanHex)-01",
            "00-\(traceHex)-\(spanHex)_01",
            "00-\(traceHex)-\(spanHex)",
            "",
            "00",
            String(repeating: "-", count: 55),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0é",
        ])
    func rejectsInvalid(_ header: String) {
        #expect(TraceParent(header) == nil)
    }

    @Test(
        "headerValue is version 00 in lower case and parses back to the same value",
        arguments: [
            TraceParent(traceID: TraceID(high: 0xABCD, low: 1), spanID: SpanID(0xFF), flags: 0x01),
            TraceParent(traceID: TraceID(high: .max, low: .max), spanID: SpanID(.max), flags: 0x00),
            TraceParent(traceID: TraceID(high: 0, low: 1), spanID: SpanID(1), flags: 0x0A),
        ])
    func roundTrip(_ parent: TraceParent) throws {
        let header = parent.headerValue
        #expect(header.utf8.count == 55)
        #expect(header.hasPrefix("00-"))
        #expect(header == header.lowercased())
        #expect(TraceParent(header) == parent)
        #expect(parent.description == header)
    }

    @Test("parses a Substring by the same rules as a String")
    func parsesSubstring() throws {
        let line = "traceparent: 00-\(Self.traceHex)-\(Self.spanHex)-01"
        let value = line.split(separator: " ")[1]
        let parent = try #require(TraceParent(value))
        #expect(parent.traceID.hex == Self.traceHex)
    }

    @Test("a String and a Substring of it parse alike, over 2,000 random one-byte changes of a valid header")
    func stringAndSubstringAgree() {
        let valid = Array("00-\(Self.traceHex)-\(Self.spanHex)-01".utf8)
        let bytes = Array("0123456789abcdefABCDEF-xé ".utf8)
        var random = SystemRandomNumberGenerator()
        var parsed = 0
        for _ in 0..<2_000 {
            var changed = valid
            changed[Int.random(in: 0..<changed.count, using: &random)] = bytes.randomElement(using: &random)!
            if Bool.random(using: &random) { changed.removeLast(Int.random(in: 0...2, using: &random)) }
            let header = String(decoding: changed, as: UTF8.self)
            let viaString = TraceParent(header)
            let substring: Substring = ("[" + header + "]").dropFirst().dropLast()
            #expect(viaString == TraceParent(substring), "\(header)")
            if viaString != nil { parsed += 1 }
        }
        #expect(parsed > 0, "some changes keep the header valid (a hex digit for a hex digit)")
    }

    @Test("every byte at every hex position: accepted only as a lower-case hex digit, read as the digit it is")
    func everyByteAtEveryPosition() {
        let valid = Array("00-\(Self.traceHex)-\(Self.spanHex)-01".utf8)
        let hexPositions = Array(0..<2) + Array(3..<35) + Array(36..<52) + Array(53..<55)
        let lowerHex = Set("0123456789abcdef".utf8)
        for position in hexPositions {
            for byte in UInt8.min...UInt8.max {
                var bytes = valid
                bytes[position] = byte
                let header = String(decoding: bytes, as: UTF8.self)
                let parsed = TraceParent(header)
                guard lowerHex.contains(byte) else {
                    #expect(parsed == nil, "byte \(byte) at \(position)")
                    continue
                }
                // One digit changed cannot zero either id or make the version ff: always valid.
                let text = Array(header.utf8)
                guard let parsed else {
                    Issue.record("byte \(byte) at \(position): \(header) refused")
                    continue
                }
                // The reference: the standard library's reading of the same digits.
                let version = UInt8(String(decoding: text[0..<2], as: UTF8.self), radix: 16)
                let flags = UInt8(String(decoding: text[53..<55], as: UTF8.self), radix: 16) ?? 0
                #expect(parsed.traceID.hex == String(decoding: text[3..<35], as: UTF8.self))
                #expect(parsed.spanID.hex == String(decoding: text[36..<52], as: UTF8.self))
                #expect(parsed.flags == (version == 0 ? flags : flags & 0x01), "byte \(byte) at \(position)")
            }
        }
    }
}
