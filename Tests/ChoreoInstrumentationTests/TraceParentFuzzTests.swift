import ChoreoInstrumentation
import ChoreoModel
import ChoreoTestSupport
import InMemoryTracing
import Synchronization
import Testing
import Tracing

/// Random and mutated `traceparent` / `tracestate` values through TracedBus's consumer
/// extraction, with a W3C propagator built on ChoreoModel's `TraceParent` and `TraceState`.
///
/// The oracle is an independent strict reading of W3C Trace Context level 1: a valid value makes
/// the consumer span a child of the sender's span; anything else starts a new trace and drops
/// `tracestate`. Seeded, so a failing case reproduces from its number. 5,000 cases by default;
/// `CHOREO_FUZZ_CASES=100000` for the long run.
@Suite("traceparent fuzzing")
struct TraceParentFuzzTests {
    static let seed: UInt64 = 0x7_2ACE_9A2E
    static let cases = FuzzBudget.cases(default: 5000)

    @Test("random and mutated headers never crash; invalid ones start a new trace and drop tracestate")
    func fuzz() async throws {
        let tracer = W3CInMemoryTracer()
        let bus = DirectBus()
        let seen = Mutex<(traceState: String?, count: Int)>((nil, 0))
        let traced = TracedBus(bus, service: "fuzz")
        var random = SplitMix64(seed: Self.seed)
        var failures: [String] = []
        var valid = 0
        try await withTracer(tracer) {
            try await traced.subscribe(topic: "t", group: "g") { _ in
                let state = ServiceContext.current?[W3CTraceStateKey.self]?.headerValue
                seen.withLock { $0 = (state, $0.count + 1) }
            }
            for index in 0..<Self.cases {
                let (traceparent, tracestate) = HeaderMutator.next(&random)
                var headers = ["id": "m-\(index)", "type": "Fuzzed"]
                if let traceparent { headers["traceparent"] = traceparent }
                if let tracestate { headers["tracestate"] = tracestate }
                try await bus.deliver(Message(topic: "t", headers: headers))
                let span = try #require(tracer.inner.finishedSpans.last)
                let stateSeen = seen.withLock { $0.traceState }
                let expected = traceparent.flatMap(StrictTraceParent.init)
                if let expected {
                    valid += 1
                    if span.traceID != expected.traceID || span.parentSpanID != expected.spanID {
                        failures.append("case \(index): valid \(traceparent!) not continued")
                    }
                } else if span.parentSpanID != nil || span.traceID == traceparent.map({ String($0.dropFirst(3).prefix(32)) }) {
                    failures.append("case \(index): invalid \(String(reflecting: traceparent)) did not start a new trace")
                } else if stateSeen != nil {
                    failures.append("case \(index): tracestate kept with invalid traceparent \(String(reflecting: traceparent))")
                }
                if failures.count >= 20 { break }
                if index % 1000 == 999 { tracer.inner.clearAll() }
            }
        }
        #expect(failures.isEmpty, "seed \(Self.seed):\n\(failures.joined(separator: "\n"))")
        #expect(seen.withLock { $0.count } == Self.cases, "every delivery was handled")
        #expect(valid > Self.cases / 100 && valid < Self.cases - Self.cases / 100, "the mix holds valid and invalid values (\(valid) valid)")
    }

    @Test(
        "the oracle agrees with the W3C examples",
        arguments: [
            ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", true),
            ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", true),
            ("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future", true),
            ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", false),
            ("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", false),
            ("00-00000000000000000000000000000000-b7ad6b7169203331-01", false),
            ("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", false),
            ("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", false),
            ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1", false),
        ])
    func oracle(header: String, valid: Bool) {
        #expect((StrictTraceParent(header) != nil) == valid)
        #expect((TraceParent(header) != nil) == valid, "ChoreoModel's parser agrees")
    }
}

/// The trace and parent ids of a valid `traceparent`, read independently of ChoreoModel.
struct StrictTraceParent {
    var traceID: String
    var spanID: String

    init?(_ header: String) {
        let bytes = Array(header.utf8)
        func isHex(_ range: Range<Int>) -> Bool {
            bytes[range].allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        }
        guard bytes.count >= 55, bytes[2] == 0x2D, bytes[35] == 0x2D, bytes[52] == 0x2D else { return nil }
        guard isHex(0..<2), isHex(3..<35), isHex(36..<52), isHex(53..<55) else { return nil }
        let version = String(decoding: bytes[0..<2], as: UTF8.self)
        guard version != "ff" else { return nil }
        if version == "00" { guard bytes.count == 55 else { return nil } } else if bytes.count > 55 { guard bytes[55] == 0x2D else { return nil } }
        traceID = String(decoding: bytes[3..<35], as: UTF8.self)
        spanID = String(decoding: bytes[36..<52], as: UTF8.self)
        guard traceID != String(repeating: "0", count: 32), spanID != String(repeating: "0", count: 16) else { return nil }
    }
}

/// Random and mutated `traceparent` and `tracestate` values.
enum HeaderMutator {
    static let hex = Array("0123456789abcdef".utf8)
    static let junk = Array("0123456789abcdefABCDEF-_=,; \t\u{0}ÿ~zx".utf8)

    static func validTraceParent(_ random: inout SplitMix64) -> [UInt8] {
        let version: [UInt8] = random.chance(0.8) ? Array("00".utf8) : [hex[random.int(0..<15)], hex[random.int(0..<16)]]
        var value = version + [0x2D]
        value += (0..<32).map { _ in hex[random.int(0..<16)] } + [0x2D]
        value += (0..<16).map { _ in hex[random.int(0..<16)] } + [0x2D]
        value += [hex[random.int(0..<16)], hex[random.int(0..<16)]]
        return value
    }

    static func next(_ random: inout SplitMix64) -> (String?, String?) {
        var parent = validTraceParent(&random)
        switch random.int(0..<9) {
        case 0: parent = (0..<random.int(0..<80)).map { _ in junk[random.int(0..<junk.count)] }
        case 1: for _ in 0..<random.int(1...3) { parent[random.int(0..<parent.count)] = junk[random.int(0..<junk.count)] }
        case 2: parent = Array(parent.prefix(random.int(0..<parent.count)))
        case 3: parent += Array("-\(random.int(0..<1000))".utf8)
        case 4: parent.replaceSubrange(3..<35, with: Array(repeating: UInt8(ascii: "0"), count: 32))
        case 5: parent.replaceSubrange(36..<52, with: Array(repeating: UInt8(ascii: "0"), count: 16))
        case 6: parent = parent.map { random.chance(0.1) ? UInt8(ascii: "A") + ($0 & 0x5) : $0 }
        default: break
        }
        let traceparent = random.chance(0.03) ? nil : String(decoding: parent, as: UTF8.self)
        var state = "vendor=opaque,other@tenant=v2"
        switch random.int(0..<4) {
        case 0: state = String(decoding: (0..<random.int(0..<300)).map { _ in junk[random.int(0..<junk.count)] }, as: UTF8.self)
        case 1: state = (0..<random.int(0..<40)).map { "k\($0)=v\($0)" }.joined(separator: ",")
        default: break
        }
        return (traceparent, random.chance(0.2) ? nil : state)
    }
}

/// The draws the mutator needs, on the shared seeded generator.
extension SplitMix64 {
    mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func chance(_ p: Double) -> Bool { nextFraction() < p }
}

/// A bus that hands a delivered message straight to its one subscriber.
///
/// The handler sits in a struct: a bare closure inside a `Mutex` is re-abstracted on every
/// `withLock` write-back, wrapping it in more thunks per call (quadratic over a long run).
final class DirectBus: MessageBus {
    private struct Subscriber: Sendable { var handler: MessageHandler }
    private let subscriber = Mutex<Subscriber?>(nil)
    func publish(_ message: Message) async throws { try await deliver(message) }
    func subscribe(topic: String, group: String, handler: @escaping MessageHandler) async throws {
        subscriber.withLock { $0 = Subscriber(handler: handler) }
    }
    func deliver(_ message: Message) async throws {
        let subscriber = self.subscriber.withLock { $0 }
        try await subscriber?.handler(Delivery(message: message, attempt: 1, maxAttempts: 3))
    }
}

/// The `tracestate` extracted with a valid `traceparent`.
enum W3CTraceStateKey: ServiceContextKey {
    typealias Value = TraceState
}

/// InMemoryTracer's spans with W3C propagation (`traceparent`, `tracestate`) parsed by ChoreoModel.
struct W3CInMemoryTracer: Tracer {
    typealias Span = InMemorySpan
    let inner = InMemoryTracer(recordInjections: false, recordExtractions: false)

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: Tracing.SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> InMemorySpan {
        inner.startSpan(operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
    }

    func forceFlush() {}

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Carrier == Inject.Carrier {
        guard let span = context.inMemorySpanContext, let trace = TraceID(hex: span.traceID), let id = SpanID(hex: span.spanID) else { return }
        injector.inject(TraceParent(traceID: trace, spanID: id).headerValue, forKey: "traceparent", into: &carrier)
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Carrier == Extract.Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier), let parent = TraceParent(header) else { return }
        context.inMemorySpanContext = InMemorySpanContext(traceID: parent.traceID.hex, spanID: parent.spanID.hex, parentSpanID: nil)
        if let state = extractor.extract(key: "tracestate", from: carrier).flatMap({ TraceState($0) }) {
            context[W3CTraceStateKey.self] = state
        }
    }
}
