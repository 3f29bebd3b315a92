import ChoreoModel
import ChoreoOTLP

/// One generated request body: what it was made from (`kind`, for failure messages) and the
/// headers it is sent with.
struct FuzzBody {
    var kind: String
    var bytes: [UInt8]
    var contentType: String?
    var encoding: String?
    /// True when the body is a seed sent unchanged (not a mutation).
    var isValid: Bool { kind.hasSuffix(": valid") }
    /// The body's kind and headers, for failure messages.
    var label: String {
        "\(kind), Content-Type \(contentType.map { "\"\($0)\"" } ?? "absent"), Content-Encoding \(encoding.map { "\"\($0)\"" } ?? "absent")"
    }
}

/// Seeded bodies for the ingest fuzz test: valid protobuf, JSON and gzip requests (each case's
/// spans in a trace of their own, so what got stored can be told apart), a request with an
/// invalid span (a partial success), an over-limit request and a gzip bomb, then mutated by
/// bit flips, truncation, splices, inserted junk, huge varint lengths, odd content types and
/// encodings. The same seed gives the same bodies.
struct BodyGenerator {
    /// The seeds a body is made from.
    enum Seed: CaseIterable {
        case protobuf, json, gzipProtobuf, gzipJSON, emptyProtobuf, emptyJSON, withInvalidSpan, tooManySpans, bomb
    }

    /// More spans than the fuzz test's `maxSpansPerRequest` (50): refused with 413.
    static let tooManySpans = 60
    static let contentTypes: [String?] = [
        nil, "", "application/x-protobuf", "application/json", "application/protobuf", "APPLICATION/JSON; charset=utf-8",
        "application/x-protobuf; proto=opentelemetry", "text/plain", "application/octet-stream", "multipart/form-data; boundary=x",
        "application/json;;;", " application/json ", "application/x-protobuf\u{7F}",
    ]
    static let encodings: [String?] = [nil, "identity", "gzip", "GZIP", "x-gzip", "br", "deflate", "gzip, gzip", "", "zstd"]
    /// 300 KiB of zeros, gzipped: over the fuzz test's 256 KiB decompressed limit.
    static let bomb = Gzip.compress([UInt8](repeating: 0, count: 300 << 10))

    private var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// The trace every span of case `index`'s seed belongs to.
    static func trace(ofCase index: Int) -> TraceID { TraceID(high: 0xFA, low: UInt64(index) + 1) }

    /// The body of case `index`: a seed, mutated nine times in ten.
    mutating func next(case index: Int) throws -> FuzzBody {
        let seed = chance(0.002) ? Seed.bomb : Seed.allCases[Int.random(in: 0..<(Seed.allCases.count - 1), using: &random)]
        var body = try Self.body(seed, case: index)
        body.kind = "\(seed): " + (try mutate(&body, seed: seed, case: index))
        if chance(0.05) {
            body.kind += " + odd encoding"
            body.encoding = pick(Self.encodings)
        }
        return body
    }

    /// The seed's bytes with its content type and encoding, spans in case `index`'s trace.
    static func body(_ seed: Seed, case index: Int) throws -> FuzzBody {
        let protobuf = OTLPHTTP.protobufContentType
        let json = OTLPHTTP.jsonContentType
        switch seed {
        case .protobuf: return FuzzBody(kind: "", bytes: try OTLPProtobuf.encodeRequest(spans(case: index)), contentType: protobuf)
        case .json: return FuzzBody(kind: "", bytes: try OTLPJSON.encodeRequest(spans(case: index)), contentType: json)
        case .gzipProtobuf:
            return FuzzBody(kind: "", bytes: Gzip.compress(try OTLPProtobuf.encodeRequest(spans(case: index))), contentType: protobuf, encoding: "gzip")
        case .gzipJSON:
            return FuzzBody(kind: "", bytes: Gzip.compress(try OTLPJSON.encodeRequest(spans(case: index))), contentType: json, encoding: "gzip")
        case .emptyProtobuf: return FuzzBody(kind: "", bytes: try OTLPProtobuf.encodeRequest([]), contentType: protobuf)
        case .emptyJSON: return FuzzBody(kind: "", bytes: Array("{}".utf8), contentType: json)
        case .withInvalidSpan:
            var spans = spans(case: index)
            spans[1].spanID = SpanID(0)
            return FuzzBody(kind: "", bytes: try OTLPProtobuf.encodeRequest(spans), contentType: protobuf)
        case .tooManySpans:
            let spans = Fixtures.spans(tooManySpans, trace: trace(ofCase: index), prefix: "fz\(index)")
            return FuzzBody(kind: "", bytes: try OTLPProtobuf.encodeRequest(spans), contentType: protobuf)
        case .bomb: return FuzzBody(kind: "", bytes: bomb, contentType: protobuf, encoding: "gzip")
        }
    }

    /// Three spans with an array attribute, an event and a link.
    static func spans(case index: Int) -> [SpanRecord] {
        var spans = Fixtures.spans(3, trace: trace(ofCase: index), prefix: "fz\(index)")
        spans[0].attributes["note"] = .stringArray(["a", "b"])
        spans[1].events = [SpanEvent(name: "exception", timeUnixNano: 5, attributes: ["exception.message": .string("boom")])]
        spans[2].links = [SpanLink(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3))]
        return spans
    }

    /// Mutates `body` one way, returning the name of the mutation.
    private mutating func mutate(_ body: inout FuzzBody, seed: Seed, case index: Int) throws -> String {
        switch Int.random(in: 0..<10, using: &random) {
        case 0:
            body.bytes = (0..<Int.random(in: 0...200, using: &random)).map { _ in byte() }
            return "random bytes"
        case 1, 2:
            for _ in 0..<Int.random(in: 1...8, using: &random) where !body.bytes.isEmpty {
                body.bytes[position(in: body.bytes)] ^= 1 << UInt8.random(in: 0...7, using: &random)
            }
            return "bit flips"
        case 3:
            body.bytes = Array(body.bytes.prefix(Int.random(in: 0...body.bytes.count, using: &random)))
            return "truncation"
        case 4:
            let other = try Self.body(Seed.allCases[Int.random(in: 0..<(Seed.allCases.count - 1), using: &random)], case: index).bytes
            body.bytes =
                Array(body.bytes.prefix(Int.random(in: 0...body.bytes.count, using: &random)))
                + other.suffix(Int.random(in: 0...other.count, using: &random))
            return "splice"
        case 5:
            let junk = (0..<Int.random(in: 1...16, using: &random)).map { _ in byte() }
            body.bytes.insert(contentsOf: junk, at: Int.random(in: 0...body.bytes.count, using: &random))
            return "inserted junk"
        case 6:
            body.bytes.insert(contentsOf: [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], at: Int.random(in: 0...body.bytes.count, using: &random))
            return "huge length"
        case 7:
            if body.encoding == nil {
                if !body.bytes.isEmpty { body.bytes[position(in: body.bytes)] = byte() }
                body.bytes = Gzip.compress(body.bytes)
                body.encoding = "gzip"
            }
            return "mutated then gzipped"
        case 8:
            body.contentType = pick(Self.contentTypes)
            body.encoding = pick(Self.encodings)
            return "odd content type or encoding"
        default:
            return "valid"
        }
    }

    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
    private mutating func byte() -> UInt8 { UInt8.random(in: 0...255, using: &random) }
    private mutating func position(in bytes: [UInt8]) -> Int { Int.random(in: 0..<bytes.count, using: &random) }
    private mutating func pick(_ values: [String?]) -> String? { values[Int.random(in: 0..<values.count, using: &random)] }
}
