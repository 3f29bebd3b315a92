import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Readiness follows the store's health")
struct StoreReadinessTests {
    @Test("failed reads turn /readyz 503 naming the failure; once reads work it is 200 again; /healthz stays 200")
    func readsFailAndRecover() async throws {
        let store = InterceptingStore()
        let harness = Fixtures.collector(store: store)
        try await harness.application.test(.router) { client in
            #expect(try await client.answer("/readyz").status == .ok)
            store.failReads(InterceptingStore.ioError)
            _ = try await client.answer("/api/v1/traces/00000000000000070000000000000007")  // a read fails
            let failing = try await client.answer("/readyz")
            #expect(failing.status == .serviceUnavailable)
            #expect(failing.contentType == "application/json")
            #expect(failing.error?.contains("disk I/O error") == true, "\(failing.error ?? "no error")")
            #expect(try await client.answer("/healthz").status == .ok, "liveness is not readiness")
            store.failReads(nil)
            #expect(try await client.answer("/readyz").status == .ok, "the probe sees the store read again")
            #expect(harness.app.storeHealth.isHealthy)
        }
    }

    @Test("a failed commit turns /readyz 503 until a commit works again, though no span arrives meanwhile")
    func commitsFailAndRecover() async throws {
        let store = InterceptingStore()
        let harness = Fixtures.collector(store: store)
        try await harness.application.test(.router) { client in
            store.failWrites(InterceptingStore.ioError)
            let refused = try await client.ingestJSON(Fixtures.spans(3, trace: TraceID(high: 1, low: 2)))
            #expect(refused.status == .serviceUnavailable)
            let failing = try await client.answer("/readyz")
            #expect(failing.status == .serviceUnavailable)
            #expect(failing.error?.contains("write") == true, "\(failing.error ?? "no error")")
            #expect(try await client.answer("/readyz").status == .serviceUnavailable, "still failing: the probe commit fails too")
            store.failWrites(nil)
            #expect(try await client.answer("/readyz").status == .ok, "the probe commit works: ready without any ingest")
            #expect(try await store.inner.spanCount() == 0, "the probe wrote no span")
        }
    }

    @Test("a read that works does not hide commits that fail")
    func readsDoNotHideWrites() async throws {
        let store = InterceptingStore()
        let harness = Fixtures.collector(store: store)
        try await harness.application.test(.router) { client in
            store.failWrites(InterceptingStore.ioError)
            _ = try await client.ingestJSON(Fixtures.spans(1, trace: TraceID(high: 1, low: 3)))
            #expect(try await client.answer("/api/v1/traces/00000000000000010000000000000003").status == .notFound)
            #expect(try await client.answer("/readyz").status == .serviceUnavailable)
        }
    }

    @Test("/readyz is 503 once shutdown began even with a healthy store")
    func shutdown() async throws {
        let harness = Fixtures.collector()
        try await harness.application.test(.router) { client in
            harness.app.writer.close()
            let answer = try await client.answer("/readyz")
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.error == "shutting down")
        }
    }
}

@Suite("SQLite write probe")
struct SQLiteWriteProbeTests {
    @Test("the probe commits without changing spans or the schema version, and fails once the store is closed")
    func probe() async throws {
        let path = try Fixtures.temporaryPath("probe.sqlite")
        let store = try SQLiteSpanStore(path: path)
        try await store.append(Fixtures.spans(2, trace: TraceID(high: 9, low: 9)))
        try await store.probeWrite()
        #expect(try await store.spanCount() == 2)
        await store.close()
        await #expect(throws: StoreError.self) { try await store.probeWrite() }
        let reopened = try SQLiteSpanStore(path: path)
        #expect(try await reopened.spanCount() == 2, "the schema version is intact: the file reopens as is")
        await reopened.close()
    }
}
