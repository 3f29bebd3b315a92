import ChoreoAgent
import ChoreoModel
import ChoreoOTLP
import Synchronization

/// A next hop with the collector's request limits: it answers 413 (through ``classify(status:retryAfter:)``,
/// as the HTTP sender does) to a request with more spans, more decompressed bytes or more
/// compressed bytes than it takes, accepts the rest, and records every attempt.
final class LimitedUpstream: BatchSender {
    /// One request the agent sent.
    struct Attempt: Sendable {
        var spans: Int
        var bytes: Int
        var compressedBytes: Int
        var status: Int
    }

    private struct State {
        var attempts: [Attempt] = []
        var acceptedNames: [String] = []
        var acceptedBatches = 0
    }

    let maxSpans: Int
    let maxBytes: Int
    let maxCompressedBytes: Int
    /// After this many accepted requests it answers 503 to everything (an outage).
    let outageAfter: Int
    private let state = Mutex(State())

    init(maxSpans: Int = .max, maxBytes: Int = .max, maxCompressedBytes: Int = .max, outageAfter: Int = .max) {
        self.maxSpans = maxSpans
        self.maxBytes = maxBytes
        self.maxCompressedBytes = maxCompressedBytes
        self.outageAfter = outageAfter
    }

    /// Every request, in order.
    var attempts: [Attempt] { state.withLock { $0.attempts } }

    /// The names of the spans accepted, in arrival order.
    var acceptedNames: [String] { state.withLock { $0.acceptedNames } }

    func send(_ gzippedBody: [UInt8]) async -> SendResult {
        guard let body = try? Gzip.decompress(gzippedBody, maxOutputBytes: 1 << 30),
            let spans = try? OTLPProtobuf.decodeRequest(body).spans
        else { return classify(status: 400, retryAfter: nil) }
        return state.withLock { s in
            let status: Int
            if s.acceptedBatches >= outageAfter {
                status = 503
            } else if spans.count > maxSpans || body.count > maxBytes || gzippedBody.count > maxCompressedBytes {
                status = 413
            } else {
                status = 200
                s.acceptedBatches += 1
                s.acceptedNames += spans.map(\.name)
            }
            s.attempts.append(Attempt(spans: spans.count, bytes: body.count, compressedBytes: gzippedBody.count, status: status))
            return classify(status: status, retryAfter: nil)
        }
    }

    func shutdown() async {}
}

/// Spans for the upstream-limit tests.
enum LimitSpans {
    /// `n` spans named "<prefix> <i>" from `service` (one resource per service) and `scope`,
    /// each with a `payload` attribute of `padding` bytes: "xxx…" (compresses to almost
    /// nothing), or letters from a fixed pseudo-random sequence when `noisy` (barely compresses).
    static func make(
        _ n: Int, prefix: String, padding: Int = 0, noisy: Bool = false, service: String = "svc", scope: String? = nil
    ) -> [SpanRecord] {
        let seed = prefix.utf8.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 } | 1
        return (0..<n).map { i in
            SpanRecord(
                traceID: TraceID(high: seed, low: UInt64(i + 1)), spanID: SpanID(UInt64(i + 1)), name: "\(prefix) \(i)",
                startTimeUnixNano: 1_000, endTimeUnixNano: 2_000,
                attributes: padding > 0 ? ["payload": .string(text(padding, noisy: noisy, seed: seed &+ UInt64(i)))] : [:],
                serviceName: service, scopeName: scope
            )
        }
    }

    private static func text(_ count: Int, noisy: Bool, seed: UInt64) -> String {
        guard noisy else { return String(repeating: "x", count: count) }
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/")
        var state = seed
        return String(
            (0..<count).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return letters[Int(state >> 58)]
            })
    }
}
