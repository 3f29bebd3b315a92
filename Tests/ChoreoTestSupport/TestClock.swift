import Synchronization

/// The one clock of the test suites, so batching delays, backoff, timers and periodic work are
/// tested without real time.
///
/// - ``Mode/jumping``: every sleep returns at once, time jumping to its deadline (a simulation
///   runs as fast as the code does).
/// - ``Mode/manual``: time moves only when the test calls ``advance(by:)`` or ``advance(to:)``;
///   sleepers wait until it passes their deadline, and the test can await them
///   (``waitForSleepers(_:)``, ``waitForSleeper(until:)``) before advancing.
///
/// Either way every requested sleep is recorded (``sleeps``).
public final class TestClock: Clock, Sendable {
    /// How sleeps behave.
    public enum Mode: Sendable {
        /// Sleeps return at once; time jumps to the deadline.
        case jumping
        /// Sleeps wait for the test to advance time.
        case manual
    }

    public struct Instant: InstantProtocol {
        public var offset: Duration
        public init(offset: Duration) { self.offset = offset }
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var id: Int
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    /// A test awaiting a condition on the sleepers.
    private struct Watcher {
        var isSatisfied: @Sendable ([Instant]) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Sleeper] = []
        var sleeps: [Duration] = []
        var watchers: [Watcher] = []
        var nextID = 0

        /// Removes and returns the watchers whose condition now holds.
        mutating func satisfiedWatchers() -> [CheckedContinuation<Void, Never>] {
            let deadlines = sleepers.map(\.deadline)
            var ready: [CheckedContinuation<Void, Never>] = []
            watchers.removeAll { watcher in
                guard watcher.isSatisfied(deadlines) else { return false }
                ready.append(watcher.continuation)
                return true
            }
            return ready
        }
    }

    private let mode: Mode
    private let state = Mutex(State())

    /// Creates a clock at offset zero.
    public init(_ mode: Mode = .jumping) {
        self.mode = mode
    }

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .zero }

    /// Every duration a caller asked to sleep for, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// How many times `sleep` was called.
    public var sleepCalls: Int { state.withLock { $0.sleeps.count } }

    /// Callers sleeping now (manual mode).
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The deadlines of the callers sleeping now, earliest first (manual mode).
    public var pendingDeadlines: [Instant] { state.withLock { $0.sleepers.map(\.deadline).sorted() } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        if mode == .jumping {
            state.withLock { state in
                state.sleeps.append(state.now.duration(to: deadline))
                if state.now < deadline { state.now = deadline }
            }
            await Task.yield()
            return
        }
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Action { case resume, cancel, wait([CheckedContinuation<Void, Never>]) }
                let action: Action = state.withLock { state in
                    state.sleeps.append(state.now.duration(to: deadline))
                    if Task.isCancelled { return .cancel }
                    if deadline <= state.now { return .resume }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .wait(state.satisfiedWatchers())
                }
                switch action {
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                case .wait(let ready): for watcher in ready { watcher.resume() }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time forward to `instant` (never back), waking every sleeper whose deadline has come.
    public func advance(to instant: Instant) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, instant)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Returns once at least `count` callers are sleeping (manual mode).
    public func waitForSleepers(_ count: Int = 1) async {
        await waitUntil { $0.count >= count }
    }

    /// Returns once some caller sleeps until exactly `deadline` (manual mode).
    public func waitForSleeper(until deadline: Instant) async {
        await waitUntil { $0.contains(deadline) }
    }

    /// Returns once at least `count` sleeps have been requested in all.
    public func waitForSleeps(_ count: Int) async {
        while sleepCalls < count { await Task.yield() }
    }

    private func waitUntil(_ condition: @escaping @Sendable ([Instant]) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if condition(state.sleepers.map(\.deadline)) { return true }
                state.watchers.append(Watcher(isSatisfied: condition, continuation: continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
