extension InMemoryBus {
    /// Runs the deliveries until the task is cancelled. Call it once, from a task you own
    /// (a task group child or a service group); it returns after cancellation, once every
    /// delivery task has stopped. Deliveries still queued at that point are not handled.
    ///
    /// - Throws: ``BusError`` with code `alreadyRunning` on a second call.
    public func run() async throws {
        let first = state.withLock { state in
            defer { state.started = true }
            return !state.started
        }
        guard first else {
            throw BusError(.alreadyRunning, "run() was already called on this bus; create a new InMemoryBus to run again")
        }
        await withDiscardingTaskGroup { group in
            for await event in events {
                switch event {
                case .subscribed(let subscription):
                    for _ in 0..<configuration.concurrencyPerSubscription {
                        group.addTask { await self.work(subscription) }
                    }
                case .replaceWorkers(let subscription, let count):
                    for _ in 0..<count {
                        group.addTask { await self.work(subscription) }
                    }
                case .retry(let delivery, let subscription, let delay):
                    group.addTask { await self.redeliver(delivery, to: subscription, after: delay) }
                }
            }
        }
    }

    /// One worker of a subscription: handles deliveries one after the other until cancelled.
    /// While its group is paused, or has no consumer, it holds the delivery it took until the
    /// group resumes or a consumer subscribes. A worker whose delivery a crash abandoned stops
    /// once the abandoned handler returns (a replacement started at the crash).
    private func work(_ subscription: Subscription) async {
        while let delivery = await subscription.queue.pop() {
            guard await tracker.waitUntilRunning(subscription.group),
                let (handler, ticket) = await subscription.claim(delivery)
            else { return }
            guard await deliver(delivery, to: subscription, handler: handler, ticket: ticket) else { return }
            // A worker whose queue never empties would otherwise never suspend and starve
            // every other task of the cooperative pool (the tracer's export loop among them).
            await Task.yield()
        }
    }

    /// Runs the handler and settles the delivery by its outcome; false, settling nothing, when
    /// a crash of the consumer abandoned the delivery while the handler ran.
    private func deliver(_ delivery: Delivery, to subscription: Subscription, handler: MessageHandler, ticket: UInt64) async -> Bool {
        let failure: (any Error)?
        do {
            try await handler(delivery)
            failure = nil
        } catch {
            failure = error
        }
        guard subscription.finish(ticket) else { return false }
        if let failure {
            failed(delivery, to: subscription, error: failure)
        } else {
            state.withLock { $0.statistics.handled += 1 }
            duplicateIfAsked(delivery, to: subscription)
            tracker.end(subscription.group)
        }
        return true
    }

    /// After a failed attempt: schedules the retry after the backoff, or dead-letters the
    /// delivery after its last attempt.
    private func failed(_ delivery: Delivery, to subscription: Subscription, error: any Error) {
        if delivery.isLastAttempt {
            deadLetter(delivery, group: subscription.group, error: error)
            tracker.end(subscription.group)
        } else {
            state.withLock { $0.statistics.retried += 1 }
            var next = delivery
            next.attempt += 1
            let delay = configuration.backoff(afterAttempt: delivery.attempt)
            eventSink.yield(.retry(next, subscription, after: delay))
        }
    }

    private func redeliver(_ delivery: Delivery, to subscription: Subscription, after delay: Duration) async {
        do {
            if delay > .zero { try await clock.sleep(for: delay) }
            try await subscription.queue.push(delivery)
        } catch {
            // Cancelled: the bus is stopping; the delivery stays unfinished.
        }
    }

    private func deadLetter(_ delivery: Delivery, group: String, error: any Error) {
        let letter = DeadLetter(
            message: delivery.message, group: group, attempts: delivery.attempt,
            errorType: String(describing: type(of: error)), errorDescription: String(describing: error)
        )
        state.withLock { state in
            state.statistics.deadLettered += 1
            guard configuration.deadLetterCapacity > 0 else {
                state.statistics.deadLettersDropped += 1
                return
            }
            if state.deadLetters.count >= configuration.deadLetterCapacity {
                state.deadLetters.removeFirst()
                state.statistics.deadLettersDropped += 1
            }
            state.deadLetters.append(letter)
        }
    }
}
