import ChoreoModel
@testable import ChoreoOTLP
import Testing

@Suite("robustness on arbitrary input")
struct FuzzTests {
    static let contentTypes = [OTLPHTTP.protobufContentType, OTLPHTTP.jsonContentType]
    static let encodings: [String?] = [nil, "gzip"]

    @Test("thousands of random byte strings never crash decodeBody", arguments: [UInt64(1), 2, 3, 4])
    func randomBytes(_ seed: UInt64) {
        var rng = Fixtures.SplitMix64(state: seed)
        var outcomes: [String: Int] = [:]
        for i in 0..<1000 {
            let count = Int(rng.next() % 300)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if i % 4 == 1, !bytes.isEmpty { bytes[0] = 0x0A }  // looks like field 1 (resource_spans)
            if i % 4 == 2 { bytes = Array("{\"resourceSpans\":[".utf8) + bytes }
            let contentType = Self.contentTypes[i % 2]
            let encoding = Self.encodings[(i / 2) % 2]
            if encoding != nil, i % 3 == 0 { bytes = Gzip.compress(bytes) }
            do {
                let decoded = try OTLPHTTP.decodeBody(bytes, contentType: contentType, contentEncoding: encoding, maxDecompressedBytes: 1 << 16)
                outcomes["ok", default: 0] += 1
                #expect(decoded.rejectedSpans >= 0)
            } catch {
                outcomes[error.code.rawValue, default: 0] += 1
            }
        }
        #expect(outcomes.values.reduce(0, +) == 1000)
        #expect(outcomes["malformedProtobuf", default: 0] > 0)
        #expect(outcomes["malformedJSON", default: 0] > 0)
        #expect(outcomes["malformedGzip", default: 0] > 0)
    }

    @Test("mutations of a valid request never crash and always account for every span")
    func mutatedRequests() throws {
        let valid = try OTLPProtobuf.encodeRequest(Fixtures.many(20, seed: 5) + [Fixtures.producer, Fixtures.consumer])
        var rng = Fixtures.SplitMix64(state: 99)
        for _ in 0..<2000 {
            var bytes = valid
            for _ in 0..<(1 + rng.next() % 4) {
                let position = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: position)
                default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: position)
                }
            }
            if let message = try? OTLPProtobuf.decodeRequestMessage(bytes) {
                let decoded = OTLPRecordDecoder.decode(message)
                #expect(decoded.spans.count + decoded.rejectedSpans == message.spanCount)
            }
        }
    }
}
