import ChoreoInstrumentation
import Synchronization
import Tracing

/// Business time: timers that fire after a number of business days (a customer updating a
/// card, a payment deadline, the end of an outage), on an injected clock where one day lasts
/// ``dayLength``, so a seven-day wait takes seconds in a demo and no time at all in a test.
///
/// A job runs in the context it was scheduled from (``MessageContext`` and trace context), so
/// its publishes belong to the same flow and name the same cause as the handler that set it.
/// Jobs run one at a time, earliest deadline first, from ``run()``.
///
/// With `settle` set (a simulation, with a clock whose sleeps return at once), the loop waits
/// for `settle` before each job, typically until the bus is quiescent: every consequence of
/// the previous job has happened before time jumps to the next deadline.
public final class BusinessTimers: Sendable {
    /// Scheduled work.
    struct Job: Sendable {
        var deadline: Duration
        var sequence: UInt64
        var work: @Sendable () async throws -> Void
    }

    struct State {
        var jobs: [Job] = []
        var sequence: UInt64 = 0
        /// finish() was called; with `draining`, the loop goes on until no job is left.
        var finished = false
        var draining = false
        var running = false
        /// The loop waiting for a job earlier than `deadline` (nil: any job), or for finish.
        var waiter: (deadline: Duration?, continuation: CheckedContinuation<Void, Never>)?
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        var rejected = 0
        var failed = 0

        /// True when the loop should stop: finished, and not draining or nothing left to drain.
        var shouldStop: Bool { finished && (!draining || jobs.isEmpty) }

        /// True when the loop waiting for a job before `deadline` should wake.
        func hasWork(before deadline: Duration?) -> Bool {
            if shouldStop { return true }
            guard let first = jobs.first else { return false }
            return deadline.map { first.deadline < $0 } ?? true
        }
    }

    /// How long one business day lasts on the clock.
    public let dayLength: Duration
    /// The most jobs waiting at once; ``schedule(after:_:)`` throws beyond it.
    public let capacity: Int
    let elapsed: @Sendable () -> Duration
    let sleepUntil: @Sendable (Duration) async throws -> Void
    let settle: (@Sendable () async throws -> Void)?
    let state = Mutex(State())

    /// Creates timers on `clock`; business time starts now.
    public init(
        clock: any Clock<Duration>, dayLength: Duration, capacity: Int = 100_000,
        settle: (@Sendable () async throws -> Void)? = nil
    ) {
        (elapsed, sleepUntil) = Self.bind(clock)
        self.dayLength = dayLength
        self.capacity = max(1, capacity)
        self.settle = settle
    }

    private static func bind<C: Clock<Duration>>(
        _ clock: C
    ) -> (@Sendable () -> Duration, @Sendable (Duration) async throws -> Void) {
        let origin = clock.now
        return (
            { origin.duration(to: clock.now) },
            { offset in try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) }
        )
    }

    /// The business time since the timers were created, on the clock.
    public var now: Duration { elapsed() }

    /// The clock duration of `days` business days.
    public func duration(days: Double) -> Duration { dayLength * days }

    /// Jobs scheduled and not yet run.
    public var pending: Int { state.withLock { $0.jobs.count } }

    /// Jobs refused because ``capacity`` jobs were waiting, and jobs that threw.
    public var counters: (rejected: Int, failed: Int) { state.withLock { ($0.rejected, $0.failed) } }

    /// Schedules `work` to run `days` business days from now, in the current message and trace context.
    ///
    /// - Throws: ``OrderFulfilmentError`` `overloaded` when ``capacity`` jobs are waiting, or
    ///   `busStopped` after ``finish()``.
    public func schedule(afterDays days: Double, _ work: @escaping @Sendable () async throws -> Void) throws {
        try schedule(after: duration(days: days), work)
    }

    /// Schedules `work` to run `delay` (clock time) from now, in the current message and trace context.
    public func schedule(after delay: Duration, _ work: @escaping @Sendable () async throws -> Void) throws {
        let message = MessageContext.current
        let trace = InstrumentationContext.current
        let job: @Sendable () async throws -> Void = {
            try await MessageContext.$current.withValue(message) {
                guard let trace else { return try await work() }
                try await InstrumentationContext.withValue(trace) { try await work() }
            }
        }
        let deadline = elapsed() + delay
        let woken = try state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.finished || state.draining else {
                throw OrderFulfilmentError(.busStopped, "the timers were stopped; schedule before finish()")
            }
            guard state.jobs.count < capacity else {
                state.rejected += 1
                throw OrderFulfilmentError(.overloaded, "\(capacity) timers are waiting; lower the concurrency")
            }
            state.sequence += 1
            let entry = Job(deadline: deadline, sequence: state.sequence, work: job)
            let index = state.jobs.firstIndex { ($0.deadline, $0.sequence) > (deadline, entry.sequence) } ?? state.jobs.count
            state.jobs.insert(entry, at: index)
            guard let waiter = state.waiter, state.hasWork(before: waiter.deadline) else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        woken?.resume()
    }
}
