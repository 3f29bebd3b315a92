import ChoreoModel
import ChoreoTracer
import Synchronization

/// An exporter that answers each attempt from a script (then succeeds, or keeps failing), and
/// records what it delivered; tests wait for a number of attempts without sleeping.
final class ScriptedExporter: SpanExporter {
    /// The answer to one attempt.
    enum Answer: Sendable {
        case deliver
        /// The endpoint is unreachable (`export_retries_exhausted`): the processor keeps the batch.
        case unreachable
        /// A final rejection (`export_rejected`).
        case reject
    }

    private struct State {
        var script: [Answer]
        var afterScript: Answer
        var attempts = 0
        var delivered: [[SpanRecord]] = []
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state: Mutex<State>

    init(script: [Answer] = [], then afterScript: Answer = .deliver) {
        state = Mutex(State(script: script, afterScript: afterScript))
    }

    var attempts: Int { state.withLock { $0.attempts } }
    var delivered: [[SpanRecord]] { state.withLock { $0.delivered } }
    var deliveredNames: [String] { delivered.flatMap { $0 }.map(\.name) }

    /// From now on, every attempt gets `answer`.
    func answerFromNowOn(_ answer: Answer) {
        state.withLock { state in
            state.script = []
            state.afterScript = answer
        }
    }

    func export(_ batch: [any ReadableSpan]) async throws {
        let batch = batch.records
        let (answer, ready) = state.withLock { state in
            state.attempts += 1
            let answer = state.script.isEmpty ? state.afterScript : state.script.removeFirst()
            if case .deliver = answer { state.delivered.append(batch) }
            let count = state.attempts
            let ready = state.waiters.filter { $0.count <= count }.map(\.continuation)
            state.waiters.removeAll { $0.count <= count }
            return (answer, ready)
        }
        for waiter in ready { waiter.resume() }
        switch answer {
        case .deliver: return
        case .unreachable: throw ChoreoTracerError(code: .exportRetriesExhausted, message: "connection refused")
        case .reject: throw ChoreoTracerError(code: .exportRejected, message: "HTTP 400", httpStatus: 400)
        }
    }

    func shutdown() async {}

    /// Returns once at least `count` attempts were made.
    func waitForAttempts(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if state.attempts >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
