import ChoreoModel
import Testing

@Suite("Trace and span ids")
struct IDTests {
    @Test("trace ids round-trip through hex and bytes")
    func traceIDRoundTrips() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<500 {
            let id = TraceID(high: rng.next(), low: rng.next())
            #expect(id.hex.utf8.count == 32)
            #expect(id.hex == id.hex.lowercased())
            #expect(TraceID(hex: id.hex) == id)
            #expect(TraceID(hex: id.hex.uppercased()) == id)
            #expect(id.bytes.count == 16)
            #expect(TraceID(bytes: id.bytes) == id)
        }
    }

    @Test("span ids round-trip through hex and bytes")
    func spanIDRoundTrips() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let id = SpanID(rng.next())
            #expect(id.hex.utf8.count == 16)
            #expect(SpanID(hex: id.hex) == id)
            #expect(id.bytes.count == 8)
            #expect(SpanID(bytes: id.bytes) == id)
        }
    }

    @Test("ids are big-endian: the first byte is the first two hex digits")
    func bigEndian() throws {
        let trace = try #require(TraceID(hex: "0102030405060708090a0b0c0d0e0f10"))
        #expect(trace.bytes == Array(1...16))
        #expect(trace.high == 0x0102_0304_0506_0708)
        #expect(trace.low == 0x090A_0B0C_0D0E_0F10)
        let span = try #require(SpanID(bytes: [0xAA, 0, 0, 0, 0, 0, 0, 0x01]))
        #expect(span.hex == "aa00000000000001")
    }

    @Test("all-zero ids are not valid on the wire")
    func allZero() {
        #expect(!TraceID(high: 0, low: 0).isValid)
        #expect(TraceID(high: 0, low: 1).isValid)
        #expect(TraceID(high: 1, low: 0).isValid)
        #expect(!SpanID(0).isValid)
        #expect(SpanID(1).isValid)
    }

    @Test(
        "trace id hex of the wrong length or with non-hex digits is rejected",
        arguments: [
            "", "0102030405060708090a0b0c0d0e0f1", "0102030405060708090a0b0c0d0e0f100",
            "0102030405060708090a0b0c0d0e0fzz", " 102030405060708090a0b0c0d0e0f10",
        ])
    func badTraceHex(_ hex: String) {
        #expect(TraceID(hex: hex) == nil)
    }

    @Test(
        "span id hex of the wrong length or with non-hex digits is rejected",
        arguments: [
            "", "010203040506070", "01020304050607080", "010203040506070g", "-102030405060708",
        ])
    func badSpanHex(_ hex: String) {
        #expect(SpanID(hex: hex) == nil)
    }

    @Test("byte arrays of the wrong length are rejected", arguments: [0, 7, 9, 15, 17, 32])
    func badByteCounts(_ count: Int) {
        let bytes = [UInt8](repeating: 1, count: count)
        #expect(TraceID(bytes: bytes) == nil || count == 16)
        #expect(SpanID(bytes: bytes) == nil || count == 8)
    }

    @Test("ids order by their numeric value")
    func ordering() {
        #expect(TraceID(high: 0, low: .max) < TraceID(high: 1, low: 0))
        #expect(SpanID(1) < SpanID(2))
    }
}
