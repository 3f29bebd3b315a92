import ChoreoInstrumentation
import Dispatch
import Foundation
import Synchronization

/// Fetches one consumer's deliveries on a thread of its own (nats.c's fetch blocks), never more
/// than the subscription's concurrency at once: each delivery takes a slot that ``release()``
/// gives back when it is settled. After every reconnection, and after a failed fetch, it
/// declares the stream and the consumer again (a server that lost its store has neither).
/// Deliveries come out of ``deliveries``; the stream ends once ``stop()`` was called (within
/// one fetch timeout) or the connection was closed.
///
/// **One message per fetch.** nats.c 3.4's fetch (the Debian package) overflows its result
/// array when it asks for a batch of N while the subscription still holds more than N/2 and
/// fewer than N messages from an earlier pull request (deliveries that arrived after that
/// fetch had timed out, as they do around a reconnection): it shrinks its target to the
/// messages still missing and keeps collecting until the count equals that smaller number,
/// which it has already passed, writing past the array (heap corruption; the process aborts
/// later in `free()`; fixed upstream in nats.c 3.10, nats-io/nats.c#749). A fetch of one
/// message cannot pass its target, so every fetch asks for one; the slots still bound how many
/// are handled at once.
final class NATSFetcher: Sendable {
    let deliveries: AsyncStream<NATSMessage>
    private let sink: AsyncStream<NATSMessage>.Continuation
    private let subscription: NATSSubscription
    private let slots: DispatchSemaphore
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
            var fetched: [NATSMessage] = []
            do {
                fetched = try subscription.fetch(batch: 1, timeout: Self.fetchTimeout)
                lastFailure = nil
            } catch {
                recover(from: error, lastFailure: &lastFailure)
            }
            if fetched.isEmpty { slots.signal() }
            // One message at most (see above); should nats.c hand over more, each extra one
            // waits for a slot of its own, so the concurrency still holds.
            for (index, message) in fetched.enumerated() {
                if index > 0 { slots.wait() }
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
