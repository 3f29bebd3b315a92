import ChoreoInstrumentation
import PostgresNIO

extension PostgresBus {
    /// Connects, creates the tables if missing, and runs the consumers, the LISTEN connection
    /// and the poll until the task is cancelled. Call it once.
    ///
    /// - Throws: ``BusError`` `alreadyRunning` on a second call; `unavailable` when the
    ///   database cannot be reached or the tables cannot be created (then publish and subscribe
    ///   throw the same error).
    public func run() async throws {
        let first = state.withLock { state in
            defer { state.started = true }
            return !state.started
        }
        guard first else { throw BusError(.alreadyRunning, "run() was already called on this bus; create a new PostgresBus") }
        // The pool must outlive the consumers: a consumer stopping mid-transaction still needs
        // its connection to roll back. Its task is therefore cancelled only after theirs ended
        // (child tasks would all be cancelled at once).
        let pool = Task { await client.run() }
        defer { pool.cancel() }
        do {
            try await prepare()
        } catch {
            pool.cancel()
            await pool.value
            throw error
        }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.listen() }
            group.addTask { await self.poll() }
            for await subscription in events {
                for _ in 0..<configuration.concurrencyPerSubscription {
                    group.addTask { await self.consume(subscription) }
                }
            }
        }
        pool.cancel()
        await pool.value
        logger.debug("bus stopped")
        throw CancellationError()
    }

    /// Creates the tables and reads the subscriptions; opens ``ready`` either way.
    private func prepare() async throws {
        do {
            // Fail start-up with a clear message rather than wait forever for an unreachable server.
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await self.migrate()
                    try await self.refreshSubscriptions()
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(20))
                    return false
                }
                defer { group.cancelAll() }
                guard try await group.next() == true else {
                    throw BusError(.unavailable, "no connection within 20 s")
                }
            }
        } catch {
            let failure = BusError(
                .unavailable,
                "cannot prepare the bus in \(configuration.host):\(configuration.port)/\(configuration.database ?? configuration.username) "
                    + "schema \(configuration.schema): \(String(reflecting: error)). Check the URL and that PostgreSQL runs."
            )
            ready.open(.failure(failure))
            throw failure
        }
        ready.open(.success(()))
    }

    /// LISTENs on the bus's channel and wakes the consumers of each notified topic; reconnects
    /// after a pause when the connection fails. (A callback listener, checked every poll
    /// interval, so that stopping never waits for the server.)
    private func listen() async {
        let wakeups = wakeups
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    let context = connection.addListener(channel: channel) { _, notification in
                        wakeups.signal(notification.payload)
                    }
                    defer { context.stop() }
                    // Anything published while (re)connecting is found by this signal.
                    wakeups.signal(nil)
                    while !Task.isCancelled, !connection.isClosed {
                        try? await Task.sleep(for: configuration.pollInterval)
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("LISTEN failed, retrying: \(error)")
            }
            try? await Task.sleep(for: configuration.pollInterval)
        }
    }

    /// Every poll interval: refreshes the known subscriptions and wakes every idle consumer.
    private func poll() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.pollInterval)
            try? await refreshSubscriptions()
            wakeups.signal(nil)
        }
    }

    /// Reads the topics that have subscribers (``hasSubscribers(topic:)`` answers from them).
    public func refreshSubscriptions() async throws {
        let rows = try await client.query(
            "SELECT DISTINCT topic FROM \(unescaped: configuration.schema).subscriptions", logger: logger
        ).collect()
        refreshedSubscriptions(Set(try rows.map { try $0.decode(String.self) }))
    }

    func refreshedSubscriptions(_ topics: Set<String>) {
        state.withLock { $0.routedTopics = topics }
    }

    /// One consumer: handles deliveries one after the other; waits for a wake-up when none is visible.
    private func consume(_ subscription: Subscription) async {
        while !Task.isCancelled {
            let seen = wakeups.generation(subscription.topic)
            if isPaused(subscription.group) {
                await wakeups.wait(subscription.topic, after: seen)
                continue
            }
            do {
                if try await handleNext(subscription) {
                    await Task.yield()
                    continue
                }
            } catch {
                if Task.isCancelled { return }
                state.withLock { $0.statistics.errors += 1 }
                logger.warning("consumer \(subscription.group) of \(subscription.topic): \(String(reflecting: error))")
                try? await Task.sleep(for: configuration.pollInterval)
                continue
            }
            await wakeups.wait(subscription.topic, after: seen)
        }
    }
}
