import Logging
import Synchronization

/// Forwards to several collectors (`--collector` given more than once): requests go to the
/// healthy ones in turn, and a request one collector fails (429, 5xx, unreachable, a timeout) is
/// offered to the next healthy one at once. A collector that failed sits out a cool-down
/// (1 s, doubling per consecutive failure up to 30 s) before it gets requests again; when every
/// collector is cooling down, the one whose cool-down ends first is tried.
///
/// Only when every collector tried has failed does the forwarder see a retryable failure (and
/// back off, the request staying in the queue or spool): a request is acknowledged to the
/// forwarder only once some collector accepted it, so failing over never loses a span. A
/// refusal for good (400, 413) comes back at once: every collector has the same limits.
public final class FailoverSender: BatchSender {
    /// One collector: a name for logs and its sender.
    public struct Upstream: Sendable {
        public var name: String
        public var sender: any BatchSender

        public init(name: String, sender: any BatchSender) {
            self.name = name
            self.sender = sender
        }
    }

    /// The first cool-down after a failure; it doubles per consecutive failure.
    public static let firstCooldown = Duration.seconds(1)
    /// The longest cool-down.
    public static let longestCooldown = Duration.seconds(30)

    private struct State {
        var next = 0
        var coolingUntil: [Duration?]
        var failures: [Int]
    }

    private let upstreams: [Upstream]
    private let now: @Sendable () -> Duration
    private let logger: Logger
    private let state: Mutex<State>

    /// - Parameters:
    ///   - now: a monotonic time (any origin) for the cool-downs; the tests move it by hand.
    public init(_ upstreams: [Upstream], now: @escaping @Sendable () -> Duration = FailoverSender.monotonicNow, logger: Logger) {
        precondition(!upstreams.isEmpty, "at least one collector")
        self.upstreams = upstreams
        self.now = now
        self.logger = logger
        self.state = Mutex(State(coolingUntil: Array(repeating: nil, count: upstreams.count), failures: Array(repeating: 0, count: upstreams.count)))
    }

    /// Time since an arbitrary origin, from the monotonic clock.
    @Sendable public static func monotonicNow() -> Duration {
        origin.duration(to: ContinuousClock.now)
    }

    private static let origin = ContinuousClock.now

    /// The collectors cooling down now, by name (for logs and tests).
    public var coolingDown: [String] {
        let t = now()
        return state.withLock { s in upstreams.indices.filter { s.coolingUntil[$0].map { $0 > t } ?? false }.map { upstreams[$0].name } }
    }

    public func send(_ gzippedBody: [UInt8]) async -> SendResult {
        var reasons: [String] = []
        var waits: [Duration?] = []
        for index in candidates() {
            let upstream = upstreams[index]
            let result = await upstream.sender.send(gzippedBody)
            switch result {
            case .accepted:
                recovered(index)
                return result
            case .permanent, .tooLarge:
                return result
            case .retryable(let reason, let retryAfter):
                failed(index)
                reasons.append("\(upstream.name): \(reason)")
                waits.append(retryAfter)
                logger.warning(
                    "collector failed; trying the next", metadata: ["collector": "\(upstream.name)", "reason": "\(reason)"])
            }
        }
        // Every collector tried failed: the forwarder backs off. Honour Retry-After only when every
        // one of them sent one (the earliest), else leave the wait to the backoff.
        let retryAfter = waits.contains { $0 == nil } ? nil : waits.compactMap { $0 }.min()
        return .retryable(reason: "every collector failed: " + reasons.joined(separator: "; "), retryAfter: retryAfter)
    }

    public func shutdown() async {
        for upstream in upstreams { await upstream.sender.shutdown() }
    }

    /// The collectors to try for one request: the healthy ones, starting with the next in turn;
    /// when none is healthy, the one whose cool-down ends first.
    private func candidates() -> [Int] {
        let t = now()
        return state.withLock { s in
            let count = upstreams.count
            let start = s.next
            s.next = (s.next + 1) % count
            let turn = (0..<count).map { (start + $0) % count }
            let healthy = turn.filter { s.coolingUntil[$0].map { $0 <= t } ?? true }
            if !healthy.isEmpty { return healthy }
            return [turn.min { (s.coolingUntil[$0] ?? .zero) < (s.coolingUntil[$1] ?? .zero) }!]
        }
    }

    private func failed(_ index: Int) {
        let t = now()
        state.withLock { s in
            s.failures[index] += 1
            let doublings = min(s.failures[index] - 1, 5)
            let cooldown = min(Self.firstCooldown * (1 << doublings), Self.longestCooldown)
            s.coolingUntil[index] = t + cooldown
        }
    }

    private func recovered(_ index: Int) {
        state.withLock { s in
            s.failures[index] = 0
            s.coolingUntil[index] = nil
        }
    }
}
