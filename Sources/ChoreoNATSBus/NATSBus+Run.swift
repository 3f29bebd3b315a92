import ChoreoInstrumentation
import NIOPosix

extension NATSBus {
    /// Connects, declares the streams and the attempt bucket, and runs the subscriptions'
    /// consumers until the task is cancelled; then closes the connection. Call it once.
    ///
    /// - Throws: ``ChoreoInstrumentation/BusError`` `alreadyRunning` on a second call;
    ///   `unavailable` when the server cannot be reached or has no JetStream (then publish and
    ///   subscribe throw the same error).
    public func run() async throws {
        let first = state.withLock { state in
            defer { state.started = true }
            return !state.started
        }
        guard first else { throw BusError(.alreadyRunning, "run() was already called on this bus; create a new NATSBus") }
        pool.start()
        let configuration = configuration
        do {
            let connection = try await pool.runIfActive {
                let connection = try NATSConnection(configuration: configuration)
                try connection.declareStreams(configuration)
                return connection
            }
            state.withLock { $0.connection = connection }
            ready.open(.success(()))
        } catch {
            let failure = BusError(
                .unavailable,
                "cannot start the NATS bus on \(configuration.url) (system \(configuration.system)): \(error). Check the URL and that nats-server runs with -js."
            )
            ready.open(.failure(failure))
            try? await pool.shutdownGracefully()
            throw failure
        }
        await withDiscardingTaskGroup { group in
            for await consumer in events {
                group.addTask { await self.consume(consumer) }
            }
        }
        state.withLock { $0.connection }?.close()
        try? await pool.shutdownGracefully()
        logger.debug("bus stopped")
        throw CancellationError()
    }

    /// One subscription: fetches on its own thread and handles each delivery in a task.
    private func consume(_ consumer: Consumer) async {
        guard let subscription = consumer.subscription else { return }
        let configuration = configuration
        let logger = logger
        let fetcher = NATSFetcher(
            subscription: subscription, concurrency: configuration.concurrencyPerSubscription,
            redeclare: {
                try subscription.connection.declareStreams(configuration)
                try subscription.connection.declareConsumer(configuration, consumer)
            },
            report: { logger.warning("consumer \(consumer.durable): \($0)") })
        fetcher.start(name: "nats-fetch-\(consumer.durable)")
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for await message in fetcher.deliveries {
                    group.addTask {
                        await self.handle(message, of: consumer)
                        fetcher.release()
                    }
                }
            }
        } onCancel: {
            fetcher.stop()
        }
    }
}
