import ChoreoTestSupport
import ChoreoInstrumentation
import InMemoryTracing
import Tracing

/// Runs `body` with `tracer` scoped (task local, no global bootstrap) and a fresh bus running
/// in a child task; waits for the bus to go idle after `body`, then stops it.
func withRunningBus<Result: Sendable>(
    tracer: InMemoryTracer,
    configuration: InMemoryBus.Configuration = InMemoryBus.Configuration(),
    clock: TestClock = TestClock(),
    _ body: (InMemoryBus) async throws -> Result
) async throws -> Result {
    let bus = try InMemoryBus(configuration: configuration, clock: clock)
    return try await withTracer(tracer) {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            defer { group.cancelAll() }
            let result = try await body(bus)
            try await bus.waitUntilIdle()
            return result
        }
    }
}

extension FinishedInMemorySpan {
    /// The string value of an attribute, if it is a string.
    func string(_ key: String) -> String? {
        if case .string(let value) = attributes.get(key) { return value }
        return nil
    }

    /// The integer value of an attribute, if it is an integer.
    func int(_ key: String) -> Int64? {
        switch attributes.get(key) {
        case .int64(let value): value
        case .int32(let value): Int64(value)
        default: nil
        }
    }
}

extension InMemoryTracer {
    /// Finished spans of a kind, in finishing order.
    func spans(_ kind: SpanKind) -> [FinishedInMemorySpan] {
        finishedSpans.filter { $0.kind == kind }
    }
}
