import ChoreoCollector
import ChoreoStore
import Logging
import Testing

@Suite("Ingest writer cancellation", .timeLimit(.minutes(1)))
struct IngestWriterCancellationTests {
    @Test("cancelling the writer's task (its service group failed, e.g. on a failed bind) ends its loop and closes it")
    func cancellationEndsTheLoop() async throws {
        let writer = IngestWriter(store: InMemorySpanStore(), capacity: 10, maxSpansPerCommit: 10, logger: Logger(label: "test"))
        let loop = Task { try await writer.run() }
        loop.cancel()
        try await loop.value  // before the fix this never returned: the loop waited for spans forever
        #expect(!writer.isAccepting)
    }
}
