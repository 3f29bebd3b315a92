import ChoreoInstrumentation
import ChoreoPostgresBus
import Foundation
@testable import OrderFulfilment
import Testing

/// Payment's state and the services' timers in PostgreSQL, which a restarted process finds.
@Suite(
    "Durable timers and payment state on PostgreSQL", .enabled(if: PostgresTestDatabase.url != nil, PostgresTestDatabase.skipReason), .timeLimit(.minutes(5)))
struct PostgresDurableStateTests {
    /// Runs `body` with a running bus on a fresh schema.
    func withBus(_ body: @escaping @Sendable (PostgresBus) async throws -> Void) async throws {
        var configuration = try PostgresBus.Configuration(url: try #require(PostgresTestDatabase.url))
        configuration.schema = "durable_\(UInt32.random(in: 0...UInt32.max))"
        configuration.pollInterval = .milliseconds(20)
        let bus = try PostgresBus(configuration: configuration)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await bus.run()
                return false
            }
            group.addTask {
                try await body(bus)
                return true
            }
            defer { group.cancelAll() }
            while let done = try await group.next() {
                if done { return }
            }
        }
    }

    @Test("a timer scheduled in a committed transaction fires in the scheduler's flow and cause; a rolled-back one never exists")
    func timers() async throws {
        try await withBus { bus in
            let timers = PostgresServiceTimers(bus: bus, dayLength: .milliseconds(10))
            let fired = Recorded<(String, MessageContext?)>()
            try await timers.register("test.job", service: "tests") { order in fired.append((order.orderID, MessageContext.current)) }
            let cause = MessageContext(
                messageID: "msg-1", correlationID: "flow-1", type: "RetrievePayment", topic: "payment.commands", group: "payment", attempt: 1
            )
            struct Abort: Error {}
            try await MessageContext.$current.withValue(cause) {
                try await bus.withTransaction {
                    try await timers.schedule("test.job", afterDays: 1, order: plan(.declined, index: 1).details) { _ in }
                }
                await #expect(throws: Abort.self) {
                    try await bus.withTransaction {
                        try await timers.schedule("test.job", afterDays: 0, order: plan(.declined, index: 2).details) { _ in }
                        throw Abort()
                    }
                }
            }
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(20)
            while fired.values.isEmpty, clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let (orderID, context) = try #require(fired.values.first)
            #expect(orderID == plan(.declined, index: 1).details.orderID)
            #expect(context?.correlationID == "flow-1")
            #expect(context?.messageID == "msg-1")
            #expect(context?.type == "RetrievePayment")
            // The handler records the firing before its transaction commits the ack: wait for it.
            while try await bus.pendingDeliveries() > 0, clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await bus.pendingDeliveries() == 0, "the rolled-back job was never stored")
            #expect(fired.values.count == 1)
        }
    }

    @Test("payment's durable state: a deadline and a new card exclude each other, a refund follows whichever of charge and unavailability comes last")
    func paymentBook() async throws {
        try await withBus { bus in
            let book = PostgresPaymentBook(bus: bus)
            try await bus.withTransaction { try await book.awaitCard("a") }
            #expect(try await bus.withTransaction { try await book.expire("a") })
            #expect(try await bus.withTransaction { try await book.takeCardUpdate("a") } == false)
            try await bus.withTransaction { try await book.awaitCard("b") }
            #expect(try await bus.withTransaction { try await book.takeCardUpdate("b") })
            #expect(try await bus.withTransaction { try await book.expire("b") } == false)
            #expect(try await bus.withTransaction { try await book.goodsUnavailable("c") } == nil)
            #expect(try await bus.withTransaction { try await book.charged("c", messageID: "m1") } == "m1")
            #expect(try await bus.withTransaction { try await book.charged("d", messageID: "m2") } == nil)
            #expect(try await bus.withTransaction { try await book.goodsUnavailable("d") } == "m2")
            #expect(try await bus.withTransaction { try await book.goodsUnavailable("d") } == nil, "refunded once")
        }
    }
}
