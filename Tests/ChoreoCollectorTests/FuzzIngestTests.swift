import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoStore
import ChoreoTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// Random and mutated OTLP bodies against the router, in process. What the fuzzing is for:
/// - every answer is 200, 400 or 413 (never a 5xx, never a crash);
/// - every span of an accepted request is in the store right after the 200, the 200 reports the
///   spans it rejected, and at the end the store holds exactly the accepted spans (nothing of a
///   refused request, no rejected span);
/// - a good request is still ingested after each refusal;
/// - the corpus reaches the code under test: mutated bodies that decode and are stored, partial
///   successes, and refusals with both 400 and 413.
///
/// Every case comes from one seeded generator: a failure names its case number and the seed,
/// so it reproduces. 1,000 cases by default; `CHOREO_FUZZ_CASES=100000` for the long run.
@Suite("Ingest fuzzing")
struct FuzzIngestTests {
    static let seed: UInt64 = 0xC0FFEE_5EED
    static let cases = FuzzBudget.cases(default: 1000)

    @Test("random and mutated bodies get 200, 400 or 413 only; accepted spans are stored, nothing else; good requests work after each refusal")
    func fuzz() async throws {
        let harness = IngestHarness {
            $0.maxDecompressedBytes = 256 << 10
            $0.maxSpansPerRequest = 50
        }
        let tally = try await harness.application.test(.router) { client in
            var tally = IngestFuzzTally(store: harness.store, seed: Self.seed)
            var generator = BodyGenerator(seed: Self.seed)
            for index in 0..<Self.cases where tally.failures.count < 20 {
                let body = try generator.next(case: index)
                let answer = try await client.ingest(body.bytes, contentType: body.contentType, encoding: body.encoding)
                try await tally.record(answer, to: body, case: index)
                if answer.status != .ok { try await tally.probe(client, after: index) }
            }
            return tally
        }
        #expect(tally.failures.isEmpty, "\(tally.failures.joined(separator: "\n"))")
        let stored = try await harness.store.spanCount()
        #expect(stored == tally.accepted.count, "the store holds exactly the accepted spans: \(stored) stored, \(tally.accepted.count) accepted")
        let answers = tally.statuses
        #expect(answers[200, default: 0] > 0 && answers[400, default: 0] > 0 && answers[413, default: 0] > 0, "the mix reaches 200, 400 and 413: \(answers)")
        #expect(tally.acceptedMutations > 0, "some mutated bodies decoded and were stored (\(tally.acceptedMutations))")
        #expect(tally.partialSuccesses > 0, "some accepted requests had a span rejected (partial success)")
        #expect(tally.probes > 0 && tally.probes == Self.cases - answers[200, default: 0], "a good request followed every refusal")
    }
}

/// What the fuzz run saw, and the checks made after each answer.
struct IngestFuzzTally {
    /// A stored span's identity.
    struct Key: Hashable {
        var trace: TraceID
        var span: SpanID
    }

    let store: any SpanStore
    let seed: UInt64
    /// Answers by status code.
    var statuses: [Int: Int] = [:]
    /// Every span the collector acknowledged (fuzzed bodies and good requests).
    var accepted: Set<Key> = []
    /// Mutated bodies (not sent as generated) that were accepted with at least one span.
    var acceptedMutations = 0
    /// Accepted requests with a rejected span (OTLP partial success).
    var partialSuccesses = 0
    /// Good requests sent after a refusal.
    var probes = 0
    var failures: [String] = []

    init(store: any SpanStore, seed: UInt64) {
        self.store = store
        self.seed = seed
    }

    /// Checks one answer: a 200 only for a body that decodes, with every decoded span stored;
    /// otherwise a 400 or 413.
    mutating func record(_ answer: IngestAnswer, to body: FuzzBody, case index: Int) async throws {
        let code = answer.status.code
        statuses[code, default: 0] += 1
        guard code == 200 else {
            if code != 400 && code != 413 { failures.append("case \(index) (seed \(seed), \(body.label)): answered \(answer.status)") }
            return
        }
        // The limits only refuse: a body the collector accepted decodes to the same spans without
        // them. The headers are read as the collector got them (HTTP turns invalid characters into spaces).
        let unlimited = OTLPRequestLimits(maxSpans: .max, maxElements: .max, maxDecodedBytes: .max)
        var headers = HTTPFields()
        if let contentType = body.contentType { headers[.contentType] = contentType }
        if let encoding = body.encoding { headers[.contentEncoding] = encoding }
        let decoded: OTLPDecodedRequest
        do {
            decoded = try OTLPHTTP.decodeBody(
                body.bytes, contentType: headers[.contentType], contentEncoding: headers[.contentEncoding], limits: unlimited
            )
        } catch {
            failures.append("case \(index) (seed \(seed), \(body.label)): 200 for a body that does not decode (\(error.message))")
            return
        }
        let expected = OTLPHTTP.successBody(contentType: headers[.contentType], rejectedSpans: decoded.rejectedSpans, errorMessage: decoded.rejectionReason)
        if answer.body != expected.body {
            failures.append("case \(index) (seed \(seed), \(body.label)): the 200 does not report the \(decoded.rejectedSpans) rejected spans as it should")
        }
        if let missing = try await unstored(decoded.spans) {
            failures.append("case \(index) (seed \(seed), \(body.label)): span \(missing) acknowledged but not stored")
        }
        if !body.isValid && !decoded.spans.isEmpty { acceptedMutations += 1 }
        if decoded.rejectedSpans > 0 { partialSuccesses += 1 }
    }

    /// Sends a good request (two spans in a trace of its own) and checks it is stored.
    mutating func probe(_ client: some TestClientProtocol, after index: Int) async throws {
        probes += 1
        let good = Fixtures.spans(2, trace: TraceID(high: 0x600D, low: UInt64(index) + 1), prefix: "good-\(index)")
        let answer = try await client.ingest(try OTLPProtobuf.encodeRequest(good))
        if answer.status != .ok {
            failures.append("case \(index) (seed \(seed)): a good request after it got \(answer.status)")
        } else if let missing = try await unstored(good) {
            failures.append("case \(index) (seed \(seed)): the good request after it was acknowledged, span \(missing) not stored")
        }
    }

    /// Adds `spans` to the accepted ones; the first that the store does not hold, if any.
    private mutating func unstored(_ spans: [SpanRecord]) async throws -> String? {
        for span in spans { accepted.insert(Key(trace: span.traceID, span: span.spanID)) }
        var stored: [TraceID: Set<SpanID>] = [:]
        for span in spans {
            if stored[span.traceID] == nil { stored[span.traceID] = Set(try await store.spans(traceID: span.traceID).map(\.spanID)) }
            if stored[span.traceID]?.contains(span.spanID) != true { return "\(span.traceID.hex)/\(span.spanID.hex)" }
        }
        return nil
    }
}
