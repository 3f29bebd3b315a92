extension InMemoryBus {
    /// Header asking for a duplicate delivery: a comma-separated list of consumer groups.
    ///
    /// After a listed group handles the message successfully, the bus delivers it to that group
    /// once more (attempt number + 1), as a broker does when an acknowledgement is lost. The
    /// copy no longer lists the group, so it is duplicated once. Other groups are unaffected.
    public static let duplicateDeliveryHeader = "x-choreo-duplicate-to"

    /// The headers of the duplicate that `headers` ask `group` for after it handled the message
    /// successfully (``duplicateDeliveryHeader`` without `group`, and gone when no group is left),
    /// or nil when they ask for none. List entries are separated by commas; spaces are ignored.
    /// Every bus that honours the header decides with this.
    public static func duplicateHeaders(_ headers: [String: String], for group: String) -> [String: String]? {
        guard let list = headers[duplicateDeliveryHeader] else { return nil }
        var groups = list.split(separator: ",").map { String($0.filter { $0 != " " }) }
        guard let index = groups.firstIndex(of: group) else { return nil }
        groups.remove(at: index)
        var copy = headers
        copy[duplicateDeliveryHeader] = groups.isEmpty ? nil : groups.joined(separator: ",")
        return copy
    }

    /// Pauses a consumer group (an outage of the service behind it): its workers stop taking
    /// deliveries, and messages for it wait in its queues until ``resume(group:)``. A handler
    /// already running finishes. Pausing a group that has no subscription yet works too.
    ///
    /// - Returns: false if the group was already paused.
    @discardableResult
    public func pause(group: String) -> Bool {
        tracker.pause(group)
    }

    /// Resumes a paused consumer group; its backlog drains in order.
    ///
    /// - Returns: false if the group was not paused.
    @discardableResult
    public func resume(group: String) -> Bool {
        tracker.resume(group)
    }

    /// Crashes the consumers of `group` (of every group when nil), as if the service running
    /// them died while the bus lived on: the group's handlers are unsubscribed, and each
    /// delivery they are handling is abandoned — whatever its handler does later (returns,
    /// throws, never ends) settles nothing — and queued again with the same attempt number,
    /// since a crash is not a failed attempt. Until a consumer of the group subscribes again
    /// (``subscribe(topic:group:handler:)``), the group's messages wait in its queue.
    ///
    /// What an abandoned handler published stays published: the in-memory bus has no
    /// transactions. A worker stuck in an abandoned handler is replaced at once, so the new
    /// consumers get the group's full ``Configuration/concurrencyPerSubscription``.
    ///
    /// - Returns: the number of deliveries abandoned and queued again.
    @discardableResult
    public func crashConsumers(group: String? = nil) -> Int {
        let subscriptions = state.withLock { state in
            state.subscriptions.values.joined().filter { group == nil || $0.group == group }
        }
        var abandoned = 0
        for subscription in subscriptions {
            let deliveries = subscription.crash()
            guard !deliveries.isEmpty else { continue }
            abandoned += deliveries.count
            eventSink.yield(.replaceWorkers(subscription, count: deliveries.count))
            for delivery in deliveries { eventSink.yield(.retry(delivery, subscription, after: .zero)) }
        }
        state.withLock { $0.statistics.abandoned += abandoned }
        return abandoned
    }

    /// The consumer groups currently paused.
    public var pausedGroups: Set<String> { tracker.paused }

    /// True when at least one consumer group is subscribed to `topic`, so a message published
    /// to it now is delivered (else it is dropped as unrouted).
    public func hasSubscribers(topic: String) -> Bool {
        state.withLock { !($0.subscriptions[topic] ?? []).isEmpty }
    }

    /// Returns once no delivery of a running group is queued, running or waiting for a retry;
    /// deliveries held by paused groups do not count. Needs ``run()`` to be running.
    ///
    /// With a clock whose sleeps return at once, this is the moment a simulation may advance
    /// time: nothing can happen any more until a timer fires or a group resumes.
    ///
    /// - Throws: `CancellationError` if the waiting task is cancelled.
    public func waitUntilQuiescent() async throws {
        try await tracker.waitUntilQuiescent()
    }

    /// After a successful delivery, queues the duplicate the message asks for, if any.
    func duplicateIfAsked(_ delivery: Delivery, to subscription: Subscription) {
        guard let headers = Self.duplicateHeaders(delivery.message.headers, for: subscription.group) else { return }
        var copy = delivery
        copy.attempt += 1
        copy.message.headers = headers
        tracker.begin(subscription.group)
        state.withLock { $0.statistics.duplicated += 1 }
        eventSink.yield(.retry(copy, subscription, after: .zero))
    }
}
