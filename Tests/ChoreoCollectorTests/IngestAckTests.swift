import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoStore
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@Suite("Ingest acknowledgement")
struct IngestAckTests {
    @Test("the 200 comes only after the commit: while the store holds the commit, the request stays unanswered")
    func answeredAfterCommit() async throws {
        let store = InterceptingStore(gatedAppends: true)
        let harness = IngestHarness(store: store)
        let spans = Fixtures.spans(4, trace: TraceID(high: 0xAC, low: 1), prefix: "ack")
        let answered = AnsweredFlag()
        try await harness.application.test(.router) { client in
            try await withThrowingTaskGroup(of: IngestAnswer.self) { group in
                group.addTask {
                    let answer = try await client.ingestJSON(spans)
                    answered.set()
                    return answer
                }
                await store.waitForAppendToStart()
                for _ in 0..<1000 { await Task.yield() }  // give a premature answer every chance
                #expect(answered.value == false, "no answer while the commit is pending")
                #expect(try await store.inner.spanCount() == 0)
                store.open()
                let answer = try #require(try await group.next())
                #expect(answer.status == .ok)
                #expect(try await store.inner.spanCount() == spans.count, "answered means stored")
            }
        }
    }
}

/// A flag set from another task.
final class AnsweredFlag: Sendable {
    private let flag = Atomic(false)
    func set() { flag.store(true, ordering: .sequentiallyConsistent) }
    var value: Bool { flag.load(ordering: .sequentiallyConsistent) }
}
