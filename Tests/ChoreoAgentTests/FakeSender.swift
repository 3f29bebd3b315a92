import ChoreoAgent
import ChoreoOTLP
import ChoreoModel
import Synchronization

/// A next hop that answers from a script and records what it received.
final class FakeSender: BatchSender {
    private struct State {
        var script: [SendResult]
        var received: [[SpanRecord]] = []
        var attempts = 0
    }

    private let state: Mutex<State>

    /// Answers with `script` in order, then `.accepted` forever.
    init(script: [SendResult] = []) {
        state = Mutex(State(script: script))
    }

    var attempts: Int { state.withLock { $0.attempts } }

    /// Batches that were accepted, decoded back to spans.
    var accepted: [[SpanRecord]] { state.withLock { $0.received } }

    func send(_ gzippedBody: [UInt8]) async -> SendResult {
        let result = state.withLock { s -> SendResult in
            s.attempts += 1
            return s.script.isEmpty ? .accepted : s.script.removeFirst()
        }
        if case .accepted = result,
            let body = try? Gzip.decompress(gzippedBody, maxOutputBytes: 1 << 26),
            let decoded = try? OTLPProtobuf.decodeRequest(body)
        {
            state.withLock { $0.received.append(decoded.spans) }
        }
        return result
    }

    func shutdown() async {}
}
