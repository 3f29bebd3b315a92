import ChoreoAgent
import Logging
import Synchronization
import Testing

/// Several collectors: requests spread over the healthy ones, a failing one is skipped until its
/// cool-down ends, and a request is acknowledged only once some collector accepted it.
@Suite("Failover over several collectors")
struct FailoverSenderTests {
    /// A monotonic time the test moves.
    final class Now: Sendable {
        private let value = Mutex(Duration.zero)
        func advance(_ by: Duration) { value.withLock { $0 += by } }
        func read() -> Duration { value.withLock { $0 } }
    }

    static let down = SendResult.retryable(reason: "connection refused", retryAfter: nil)

    static func failover(_ senders: [FakeSender], now: Now) -> FailoverSender {
        FailoverSender(
            senders.enumerated().map { FailoverSender.Upstream(name: "c\($0.offset)", sender: $0.element) }, now: { now.read() },
            logger: Logger(label: "test"))
    }

    @Test("healthy collectors take requests in turn")
    func roundRobin() async {
        let senders = [FakeSender(), FakeSender(), FakeSender()]
        let failover = Self.failover(senders, now: Now())
        for _ in 0..<9 { #expect(await failover.send([]) == .accepted) }
        #expect(senders.map(\.attempts) == [3, 3, 3])
    }

    @Test("a request one collector fails goes to the next at once; the failed one sits out its cool-down")
    func failsOverAndCoolsDown() async {
        let senders = [FakeSender(script: [Self.down]), FakeSender(), FakeSender()]
        let now = Now()
        let failover = Self.failover(senders, now: now)
        #expect(await failover.send([]) == .accepted, "c0 failed, c1 took it")
        #expect(senders.map(\.attempts) == [1, 1, 0])
        #expect(failover.coolingDown == ["c0"])
        for _ in 0..<4 { #expect(await failover.send([]) == .accepted) }
        #expect(senders[0].attempts == 1, "no request for c0 during its cool-down")
        now.advance(FailoverSender.firstCooldown)
        #expect(failover.coolingDown.isEmpty)
        for _ in 0..<3 { #expect(await failover.send([]) == .accepted) }
        #expect(senders[0].attempts == 2, "c0 takes requests again after its cool-down")
    }

    @Test("only when every collector fails is the request retryable, and then each is tried once")
    func everyCollectorDown() async {
        let senders = [FakeSender(script: [Self.down]), FakeSender(script: [Self.down])]
        let now = Now()
        let failover = Self.failover(senders, now: now)
        guard case .retryable(let reason, _) = await failover.send([]) else {
            Issue.record("not retryable")
            return
        }
        #expect(reason.contains("c0") && reason.contains("c1"))
        #expect(senders.map(\.attempts) == [1, 1])
        #expect(await failover.send([]) == .accepted, "all cooling down: the first to end its cool-down is tried")
        #expect(senders.map(\.attempts).reduce(0, +) == 3)
    }

    @Test("a refusal for good comes back at once, not offered to the others")
    func permanentIsNotRetriedElsewhere() async {
        let senders = [FakeSender(script: [.tooLarge(reason: "HTTP 413")]), FakeSender()]
        let failover = Self.failover(senders, now: Now())
        #expect(await failover.send([]) == .tooLarge(reason: "HTTP 413"))
        #expect(senders[1].attempts == 0)
    }

    @Test("cool-downs double per consecutive failure up to the ceiling")
    func cooldownsDouble() async {
        let flaky = FakeSender(script: Array(repeating: Self.down, count: 10))
        let now = Now()
        let failover = Self.failover([flaky], now: now)
        var cooldowns: [Duration] = []
        for _ in 0..<7 {
            _ = await failover.send([])
            var waited = Duration.zero
            while !failover.coolingDown.isEmpty {
                now.advance(.milliseconds(500))
                waited += .milliseconds(500)
            }
            cooldowns.append(waited)
        }
        #expect(cooldowns == [1, 2, 4, 8, 16, 30, 30].map { Duration.seconds($0) })
    }
}
