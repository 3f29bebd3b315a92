import ChoreoInstrumentation
import Dispatch
import Foundation
import Synchronization

/// Fetches one consumer's deliveries on a thread of its own (nats.c's fetch blocks), never more
/// than the subscription's concurrency at once: each delivery takes a slot that ``release()``
/// gives back when it is settled. After every reconnection, and after a failed fetch, it
/// declares the stream and the consumer again (a server that lost its store has neither). Deliveries come out of ``deliveries``; the stream ends once
/// ``stop()`` was called (within one fetch timeout) or the connection was closed.
final class NATSFetcher: Sendable {
    let deliveries: AsyncStream<NATSMessage>
    private let sink: AsyncStream<NATSMessage>.Continuation
    private let subscription: NATSSubscription
    private let slots: DispatchSemaphore
    private let concurrency: Int
    private let stopped = Atomic(false)
    /// Declares the stream and the consumer again (after the server lost them); blocks.
    private let redeclare: @Sendable () throws -> Void
    private let report: @Sendable (String) -> Void

    /// How long one fetch waits for messages; also the longest ``stop()`` takes.
    static let fetchTimeout: Duration = .milliseconds(500)

    init(
        subscription: NATSSubscription, concurrency: Int, redeclare: @escaping @Sendable () throws -> Void,
        report: @escaping @Sendable (String) -> Void
    ) {
        self.subscription = subscription
        self.concurrency = concurrency
        // Created empty and filled: libdispatch traps when a semaphore is freed below the value it
        // was created with, as it would be when the bus stops while deliveries hold slots.
        self.slots = DispatchSemaphore(value: 0)
        for _ in 0..<concurrency { slots.signal() }
        self.redeclare = redeclare
        self.report = report
        (deliveries, sink) = AsyncStream.makeStream(of: NATSMessage.self)
    }

    /// Starts the fetching thread.
    func start(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Ends fetching; ``deliveries`` finishes after the fetch in progress.
    func stop() { stopped.store(true, ordering: .relaxed) }

    /// Gives back the slot of a settled delivery.
    func release() { slots.signal() }

    private var isStopped: Bool { stopped.load(ordering: .relaxed) || subscription.connection.isClosed }

    private func loop() {
        defer { sink.finish() }
        var lastFailure: String?
        var reconnects = subscription.connection.reconnects
        while !isStopped {
            // After a reconnection the server may have lost its state (a new store): declare again.
            let now = subscription.connection.reconnects
            if now != reconnects, subscription.connection.isConnected {
                do {
                    try redeclare()
                    reconnects = now
                } catch {
                    recover(from: error, lastFailure: &lastFailure)
                    continue
                }
            }
            guard slots.wait(timeout: .now() + .milliseconds(250)) == .success else { continue }
            var batch = 1
            while batch < concurrency, slots.wait(timeout: .now()) == .success { batch += 1 }
            var fetched: [NATSMessage] = []
            do {
                fetched = try subscription.fetch(batch: batch, timeout: Self.fetchTimeout)
                lastFailure = nil
            } catch {
                recover(from: error, lastFailure: &lastFailure)
            }
            // Slots taken for messages that did not come are given back. A fetch can return more
            // than it asked for (nats.c hands over what a fetch before a reconnection left):
            // each extra message waits for a slot of its own, so the concurrency still holds.
            if fetched.count < batch {
                for _ in 0..<(batch - fetched.count) { slots.signal() }
            }
            for (index, message) in fetched.enumerated() {
                if index >= batch { slots.wait() }
                sink.yield(message)
            }
        }
    }

    /// After a failed fetch: unless the connection is down (nats.c reconnects on its own),
    /// declares the stream and consumer again, then pauses.
    private func recover(from error: any Error, lastFailure: inout String?) {
        if isStopped { return }
        let text = String(describing: error)
        if text != lastFailure { report("fetch failed, retrying: \(text)") }
        lastFailure = text
        if subscription.connection.isConnected {
            do {
                try redeclare()
            } catch {
                report("declaring the consumer again failed: \(error)")
            }
        }
        Thread.sleep(forTimeInterval: 0.25)
    }
}
