extension InMemoryBus {
    /// Header asking for a duplicate delivery: a comma-separated list of consumer groups.
    ///
    /// After a listed group handles the message successfully, the bus delivers it to that group
    /// once more (attempt number + 1), as a broker does when an acknowledgement is lost. The
    /// copy no longer lists the group, so it is duplicated once. Other groups are unaffected.
    public static let duplicateDeliveryHeader = "x-choreo-duplicate-to"

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
        guard let header = delivery.message.headers[Self.duplicateDeliveryHeader] else { return }
        var groups = header.split(separator: ",").map { String($0.filter { $0 != " " }) }
        guard let index = groups.firstIndex(of: subscription.group) else { return }
        groups.remove(at: index)
        var copy = delivery
        copy.attempt += 1
        copy.message.headers[Self.duplicateDeliveryHeader] = groups.isEmpty ? nil : groups.joined(separator: ",")
        tracker.begin(subscription.group)
        state.withLock { $0.statistics.duplicated += 1 }
        eventSink.yield(.retry(copy, subscription, after: .zero))
    }
}
