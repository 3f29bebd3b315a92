import ChoreoModel
import ChoreoTestSupport
import Foundation
@testable import ChoreoOTLP
import Testing

/// Random and mutated bodies through the whole decoding path. What the fuzzing is for: no crash,
/// every outcome either a decoded request or a decoding error with its code, every span of a
/// decoded request accounted for (kept or rejected), and the wire scan that guards memory
/// agreeing with the decoder on every body the decoder accepts.
@Suite("robustness on arbitrary input")
struct FuzzTests {
    static let contentTypes = [OTLPHTTP.protobufContentType, OTLPHTTP.jsonContentType]
    static let encodings: [String?] = [nil, "gzip"]
    /// Cases per run; `CHOREO_FUZZ_CASES` raises it for long runs.
    static let cases = FuzzBudget.cases(default: 2000)

    @Test("random byte strings never crash decodeBody; each gives a result or a coded error", arguments: [UInt64(1), 2, 3, 4])
    func randomBytes(_ seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var outcomes: [OTLPDecodingError.Code?: Int] = [:]
        for i in 0..<Self.cases {
            let count = Int(rng.next() % 300)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if i % 4 == 1, !bytes.isEmpty { bytes[0] = 0x0A }  // looks like field 1 (resource_spans)
            if i % 4 == 2 { bytes = Array("{\"resourceSpans\":[".utf8) + bytes }
            if i % 8 == 4 { bytes = [] }  // protobuf, no encoding: an empty request is valid and holds no span
            let contentType = Self.contentTypes[i % 2]
            let encoding = Self.encodings[(i / 2) % 2]
            if encoding != nil, i % 3 == 0 { bytes = Gzip.compress(bytes) }
            do {
                let decoded = try OTLPHTTP.decodeBody(bytes, contentType: contentType, contentEncoding: encoding, limits: .bytes(1 << 16))
                outcomes[nil, default: 0] += 1
                #expect(decoded.rejectedSpans == 0 || decoded.rejectionReason != nil, "a rejection always says why")
            } catch {
                outcomes[error.code, default: 0] += 1
                #expect(!error.message.isEmpty)
            }
        }
        #expect(outcomes[nil, default: 0] > 0, "some bodies decoded: the corpus reached the decoder")
        #expect(outcomes[.malformedProtobuf, default: 0] > 0)
        #expect(outcomes[.malformedJSON, default: 0] > 0)
        #expect(outcomes[.malformedGzip, default: 0] > 0)
    }

    @Test("mutations of a valid request: the scan counts exactly the spans the decoder finds, every span accounted for")
    func mutatedRequests() throws {
        let valid = try OTLPProtobuf.encodeRequest(Fixtures.many(20, seed: 5) + [Fixtures.producer, Fixtures.consumer])
        var rng = SplitMix64(seed: 99)
        let unlimited = OTLPRequestLimits.bytes(.max)
        var decodedCount = 0
        var failedCount = 0
        for _ in 0..<Self.cases {
            var bytes = valid
            for _ in 0..<(1 + rng.next() % 4) {
                let position = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: position)
                default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: position)
                }
            }
            guard let message = try? OTLPProtobuf.decodeRequestMessage(bytes) else {
                failedCount += 1
                continue
            }
            decodedCount += 1
            let shape = try OTLPRequestScan.protobuf(bytes, limits: unlimited)
            #expect(shape.spans == message.spanCount, "the scan and the decoder disagree on \(bytes)")
            let decoded = OTLPRecordDecoder.decode(message)
            #expect(decoded.spans.count + decoded.rejectedSpans == message.spanCount)
        }
        #expect(decodedCount >= Self.cases / 50, "enough mutations decoded for the comparison to mean something")
        #expect(failedCount > 0, "some mutations broke the body")
    }
}
