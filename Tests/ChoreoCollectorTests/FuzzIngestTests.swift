import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// 100,000 random and mutated OTLP bodies against the router, in process.
///
/// Every case comes from one seeded generator: a failure names its case number and the seed,
/// so it reproduces. Bodies are small (a few spans) to keep a debug run well under a minute.
@Suite("Ingest fuzzing")
struct FuzzIngestTests {
    static let seed: UInt64 = 0xC0FFEE_5EED
    /// 100,000; `CHOREO_FUZZ_CASES` overrides it for a quick local run.
    static let cases = ProcessInfo.processInfo.environment["CHOREO_FUZZ_CASES"].flatMap { Int($0) } ?? 100_000

    @Test("random and mutated bodies never crash the collector or get a 5xx; it still ingests afterwards")
    func fuzz() async throws {
        let harness = IngestHarness { $0.maxDecompressedBytes = 256 << 10; $0.maxSpansPerRequest = 50 }
        let started = ContinuousClock.now
        let (histogram, failures) = try await harness.application.test(.router) { client in
            var generator = BodyGenerator(seed: Self.seed)
            var histogram: [Int: Int] = [:]
            var failures: [String] = []
            for index in 0..<Self.cases {
                let body = generator.next()
                let answer = try await client.ingest(body.bytes, contentType: body.contentType, encoding: body.encoding)
                histogram[answer.status.code, default: 0] += 1
                if !(200..<300).contains(answer.status.code) && !(400..<500).contains(answer.status.code), failures.count < 20 {
                    failures.append("case \(index) (seed \(Self.seed), \(body.kind)): \(answer.status)")
                }
            }
            let good = Fixtures.compensatedOrder("after-fuzz", trace: TraceID(high: 0xF00D, low: 1))
            let answer = try await client.ingest(try OTLPProtobuf.encodeRequest(good))
            #expect(answer.status == .ok, "a good body is still ingested after the fuzzing")
            #expect(try await harness.store.spans(correlationID: "after-fuzz").count == good.count)
            return (histogram, failures)
        }
        let elapsed = started.duration(to: .now)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(histogram.values.reduce(0, +) == Self.cases)
        #expect(histogram[200, default: 0] > 0 && histogram[400, default: 0] > 0, "the mix reaches both outcomes: \(histogram)")
        print("fuzz: \(Self.cases) cases in \(elapsed), answers \(histogram.sorted { $0.key < $1.key })")
    }
}

/// One generated request body.
struct FuzzBody {
    var kind: String
    var bytes: [UInt8]
    var contentType: String?
    var encoding: String?
}

/// Seeded bodies: random bytes, and valid protobuf/JSON/gzip bodies mutated by bit flips,
/// truncation, splices, inserted junk, huge varint lengths, odd content types and encodings.
struct BodyGenerator {
    private var random: SeededRandom
    private let seeds: [(bytes: [UInt8], contentType: String, gzip: Bool)]

    static let contentTypes: [String?] = [
        nil, "", "application/x-protobuf", "application/json", "application/protobuf", "APPLICATION/JSON; charset=utf-8",
        "application/x-protobuf; proto=opentelemetry", "text/plain", "application/octet-stream", "multipart/form-data; boundary=x",
        "application/json;;;", " application/json ", "application/x-protobuf\u{7F}",
    ]
    static let encodings: [String?] = [nil, "identity", "gzip", "GZIP", "x-gzip", "br", "deflate", "gzip, gzip", "", "zstd"]

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
        var small = Fixtures.spans(3, trace: TraceID(high: 0xFA, low: 0x11), prefix: "fz")
        small[0].attributes["note"] = .stringArray(["a", "b"])
        small[1].events = [SpanEvent(name: "exception", timeUnixNano: 5, attributes: ["exception.message": .string("boom")])]
        small[2].links = [SpanLink(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3))]
        let protobuf = try! OTLPProtobuf.encodeRequest(small)
        let json = try! OTLPJSON.encodeRequest(small)
        let bomb = Gzip.compress([UInt8](repeating: 0, count: 300 << 10))
        seeds = [
            (protobuf, OTLPHTTP.protobufContentType, false),
            (json, OTLPHTTP.jsonContentType, false),
            (Gzip.compress(protobuf), OTLPHTTP.protobufContentType, true),
            (Gzip.compress(json), OTLPHTTP.jsonContentType, true),
            (try! OTLPProtobuf.encodeRequest([]), OTLPHTTP.protobufContentType, false),
            (Array("{}".utf8), OTLPHTTP.jsonContentType, false),
            (bomb, OTLPHTTP.protobufContentType, true),
        ]
    }

    mutating func next() -> FuzzBody {
        let seed = seeds[Int.random(in: 0..<(seeds.count - 1), using: &random) + (chance(0.002) ? 1 : 0)]
        var body = FuzzBody(kind: "", bytes: seed.bytes, contentType: seed.contentType, encoding: seed.gzip ? "gzip" : nil)
        switch Int.random(in: 0..<10, using: &random) {
        case 0:
            body.kind = "random bytes"
            body.bytes = (0..<Int.random(in: 0...200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 1, 2:
            body.kind = "bit flips"
            for _ in 0..<Int.random(in: 1...8, using: &random) where !body.bytes.isEmpty {
                body.bytes[Int.random(in: 0..<body.bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0...7, using: &random)
            }
        case 3:
            body.kind = "truncation"
            body.bytes = Array(body.bytes.prefix(Int.random(in: 0...body.bytes.count, using: &random)))
        case 4:
            body.kind = "splice"
            let other = seeds[Int.random(in: 0..<(seeds.count - 1), using: &random)].bytes
            body.bytes = Array(body.bytes.prefix(Int.random(in: 0...body.bytes.count, using: &random)))
                + other.suffix(Int.random(in: 0...other.count, using: &random))
        case 5:
            body.kind = "inserted junk"
            let at = Int.random(in: 0...body.bytes.count, using: &random)
            let junk = (0..<Int.random(in: 1...16, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            body.bytes.insert(contentsOf: junk, at: at)
        case 6:
            body.kind = "huge length"
            let at = Int.random(in: 0...body.bytes.count, using: &random)
            body.bytes.insert(contentsOf: [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], at: at)
        case 7:
            body.kind = "mutated then gzipped"
            if !body.bytes.isEmpty && !seed.gzip {
                body.bytes[Int.random(in: 0..<body.bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            body.bytes = seed.gzip ? body.bytes : Gzip.compress(body.bytes)
            body.encoding = "gzip"
        case 8:
            body.kind = "odd content type or encoding"
            body.contentType = Self.contentTypes[Int.random(in: 0..<Self.contentTypes.count, using: &random)]
            body.encoding = Self.encodings[Int.random(in: 0..<Self.encodings.count, using: &random)]
        default:
            body.kind = "valid"
        }
        if chance(0.05) {
            body.kind += " + odd encoding"
            body.encoding = Self.encodings[Int.random(in: 0..<Self.encodings.count, using: &random)]
        }
        return body
    }

    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
}
