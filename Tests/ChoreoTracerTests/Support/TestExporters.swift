import ChoreoModel
import ChoreoTracer
import Synchronization

/// A span record named `span-<index>` with ids derived from the index.
func spanRecord(_ index: Int, service: String = "test") -> SpanRecord {
    SpanRecord(
        traceID: TraceID(high: 1, low: UInt64(index) + 1),
        spanID: SpanID(UInt64(index) + 1),
        name: "span-\(index)",
        startTimeUnixNano: 1_000 + UInt64(index),
        endTimeUnixNano: 2_000 + UInt64(index),
        serviceName: service
    )
}

/// An exporter whose every export fails.
struct FailingExporter: SpanExporter {
    struct Refused: Error {}
    func export(_ batch: [any ReadableSpan]) async throws { throw Refused() }
    func shutdown() async {}
}

/// An exporter that holds each export until the test releases it, tracking concurrency.
final class GatedExporter: SpanExporter {
    private struct State {
        var started = 0
        var inFlight = 0
        var maxInFlight = 0
        var exported: [[SpanRecord]] = []
        var gates: [CheckedContinuation<Void, Never>] = []
        var startWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    var maxInFlight: Int { state.withLock { $0.maxInFlight } }
    var started: Int { state.withLock { $0.started } }
    var exported: [[SpanRecord]] { state.withLock { $0.exported } }

    func export(_ batch: [any ReadableSpan]) async throws {
        let batch = batch.records
        await withCheckedContinuation { (gate: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                state.started += 1
                state.inFlight += 1
                state.maxInFlight = max(state.maxInFlight, state.inFlight)
                state.gates.append(gate)
                let count = state.started
                let ready = state.startWaiters.filter { $0.count <= count }.map(\.continuation)
                state.startWaiters.removeAll { $0.count <= count }
                return ready
            }
            for waiter in ready { waiter.resume() }
        }
        state.withLock { state in
            state.inFlight -= 1
            state.exported.append(batch)
        }
    }

    func shutdown() async {}

    /// Returns once `count` exports have started.
    func waitForStarted(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if state.started >= count { return true }
                state.startWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Lets the oldest held export finish.
    func releaseOne() {
        let gate = state.withLock { $0.gates.isEmpty ? nil : $0.gates.removeFirst() }
        gate?.resume()
    }
}
