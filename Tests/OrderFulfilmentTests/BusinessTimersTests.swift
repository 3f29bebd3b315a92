import ChoreoTestSupport
import ChoreoInstrumentation
import OrderFulfilment
import Testing

@Suite("Business timers", .timeLimit(.minutes(1)))
struct BusinessTimersTests {
    static let day = Duration.seconds(10)

    /// Hands out job completions in order.
    final class Completions: Sendable {
        let stream: AsyncStream<String>
        let sink: AsyncStream<String>.Continuation
        init() { (stream, sink) = AsyncStream.makeStream() }
    }

    @Test("a job scheduled later with an earlier deadline interrupts the wait and runs first, on time")
    func earlierJobInterrupts() async throws {
        let clock = TestClock(.manual)
        let timers = BusinessTimers(clock: clock, dayLength: Self.day)
        let done = Completions()
        let ran = Recorded<(String, Duration)>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await timers.run() }
            try timers.schedule(afterDays: 7) {
                ran.append(("deadline", clock.now.offset))
                done.sink.yield("deadline")
            }
            await clock.waitForSleeper(until: .init(offset: Self.day * 7))
            try timers.schedule(afterDays: 3) {
                ran.append(("update", clock.now.offset))
                done.sink.yield("update")
            }
            await clock.waitForSleeper(until: .init(offset: Self.day * 3))
            var iterator = done.stream.makeAsyncIterator()
            clock.advance(to: .init(offset: Self.day * 3))
            #expect(await iterator.next() == "update")
            await clock.waitForSleeper(until: .init(offset: Self.day * 7))
            clock.advance(to: .init(offset: Self.day * 7))
            #expect(await iterator.next() == "deadline")
            await timers.finish()
            try await group.waitForAll()
        }
        #expect(ran.values.map(\.0) == ["update", "deadline"])
        #expect(ran.values.map(\.1) == [Self.day * 3, Self.day * 7])
        #expect(timers.pending == 0)
    }

    @Test("with a settle hook, jobs wait for it and then run earliest first, even if scheduled out of order")
    func settleOrdersJobs() async throws {
        let gate = CountdownGate()
        let timers = BusinessTimers(clock: TestClock(), dayLength: Self.day, settle: { await gate.wait() })
        let ran = Recorded<String>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await timers.run() }
            try timers.schedule(afterDays: 7) { ran.append("7") }
            try timers.schedule(afterDays: 2) { ran.append("2") }
            try timers.schedule(afterDays: 5) { ran.append("5") }
            #expect(ran.values.isEmpty, "nothing runs before the system settles")
            gate.open()
            await timers.finish(drain: true)
            try await group.waitForAll()
        }
        #expect(ran.values == ["2", "5", "7"])
    }

    @Test("a job runs in the message context it was scheduled from")
    func context() async throws {
        let timers = BusinessTimers(clock: TestClock(), dayLength: Self.day)
        let seen = Recorded<MessageContext?>()
        let context = MessageContext(
            messageID: "m-1", correlationID: "order-000001", type: "PaymentDeclined", topic: "PaymentDeclined", group: "account", attempt: 1)
        try MessageContext.$current.withValue(context) {
            try timers.schedule(afterDays: 1) { seen.append(MessageContext.current) }
        }
        try timers.schedule(afterDays: 2) { seen.append(MessageContext.current) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await timers.run() }
            await timers.finish(drain: true)
            try await group.waitForAll()
        }
        #expect(seen.values.map { $0?.correlationID } == ["order-000001", nil])
        #expect(seen.values.first??.messageID == "m-1")
    }

    @Test("finish without draining drops the pending jobs and refuses new ones")
    func finishDrops() async throws {
        let timers = BusinessTimers(clock: TestClock(.manual), dayLength: Self.day)
        let ran = Recorded<String>()
        try timers.schedule(afterDays: 1) { ran.append("late") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await timers.run() }
            await timers.finish()
            try await group.waitForAll()
        }
        #expect(ran.values.isEmpty)
        #expect(throws: OrderFulfilmentError.self) { try timers.schedule(afterDays: 1) {} }
    }

    @Test("the timers are bounded: beyond capacity, scheduling fails and is counted")
    func capacity() throws {
        let timers = BusinessTimers(clock: TestClock(.manual), dayLength: Self.day, capacity: 2)
        try timers.schedule(afterDays: 1) {}
        try timers.schedule(afterDays: 1) {}
        #expect(throws: OrderFulfilmentError.self) { try timers.schedule(afterDays: 1) {} }
        #expect(timers.counters.rejected == 1)
        #expect(timers.pending == 2)
    }
}

/// A gate tests open by hand; waiters pass once it is open.
final class CountdownGate: Sendable {
    private let continuation: AsyncStream<Void>.Continuation
    private let stream: AsyncStream<Void>

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func open() { continuation.finish() }

    func wait() async {
        for await _ in stream {}
    }
}
