import ChoreoCollector
import ChoreoFlows
import ChoreoModel
import ChoreoStore
import Logging
import Synchronization
import Testing

/// Stopping the collector mid-pass is not a failure: the indexer says nothing at error level.
@Suite("Flow indexer: shutdown")
struct FlowIndexerShutdownTests {
    /// What a database driver throws for a call cancelled under it (not `CancellationError`).
    struct DriverCancelled: Error {}

    @Test("cancelled during a pass whose store call then fails with the driver's own error, run() ends without logging an error")
    func cancelledPassIsNotAnError() async throws {
        let started = AsyncStream.makeStream(of: Void.self)
        let store = InterceptingStore(before: { call in
            guard call == .dirtyFlows else { return }
            started.continuation.yield()
            // Held until the task is cancelled, then fails as a driver does.
            try? await Task.sleep(for: .seconds(3600))
            throw DriverCancelled()
        })
        let records = LogRecords()
        let indexer = FlowIndexer(
            store: store, options: FlowOptions(), clock: ContinuousClock(), interval: .milliseconds(1),
            logger: Logger(label: "indexer", factory: { _ in records }))
        let running = Task { try await indexer.run() }
        for await _ in started.stream { break }
        running.cancel()
        _ = await running.result
        #expect(records.errors.isEmpty, "no error logged for a cancelled pass: \(records.errors)")
    }
}

/// A log handler keeping every message logged at error level or above.
final class LogRecords: LogHandler, @unchecked Sendable {
    private let stored = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var errors: [String] { stored.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard event.level >= .error else { return }
        stored.withLock { $0.append("\(event.message)") }
    }
}
