import BenchSupport
import ChoreoCollector
import ChoreoModel
import ChoreoStore
import Logging

/// Ingest without HTTP: `submitters` tasks hand the workload's batches to the collector's
/// `IngestWriter` (group commit) over a fresh `SQLiteSpanStore` (WAL, synchronous = FULL),
/// with the collector's default queue capacity and commit size. Each submit returns once its
/// spans are committed, as an HTTP acknowledgement would.
enum InProcessIngest {
    struct Result {
        var measurement: Timing
        var commits: Int
        var committedSpans: Int
    }

    static func run(_ workload: Workload, submitters: Int, database path: String) async throws -> Result {
        let store = try SQLiteSpanStore(path: path)
        let defaults = CollectorConfiguration()
        var logger = Logger(label: "bench.ingest")
        logger.logLevel = .warning
        let writer = IngestWriter(
            store: store, capacity: defaults.ingestQueueCapacity, maxSpansPerCommit: defaults.maxSpansPerCommit,
            logger: logger
        )
        let measurement = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            let cursor = WorkCursor(count: workload.batches.count)
            let timed = try await Stopwatch.measure {
                try await withThrowingTaskGroup(of: Void.self) { submitting in
                    for _ in 0..<submitters {
                        submitting.addTask {
                            while let index = cursor.next() { try await writer.submit(workload.batches[index]) }
                        }
                    }
                    try await submitting.waitForAll()
                }
            }
            writer.close()
            try await group.waitForAll()
            return timed.measurement
        }
        await store.close()
        let stats = writer.stats
        return Result(measurement: measurement, commits: stats.commits, committedSpans: stats.committedSpans)
    }
}
