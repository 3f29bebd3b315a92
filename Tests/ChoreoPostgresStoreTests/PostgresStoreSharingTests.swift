import ChoreoModel
import ChoreoStore
import Testing

@testable import ChoreoPostgresStore

@Suite("PostgreSQL span store: start-up, read-only opening, several collectors", .timeLimit(.minutes(2)))
struct PostgresStoreSharingTests {
    @Test("an unreachable server fails start-up within its timeout with a message naming the database; every call throws it")
    func unreachable() async throws {
        // Port 1 on loopback: nothing listens there.
        let configuration = PostgresStoreConfiguration(host: "127.0.0.1", port: 1, database: "choreo", schema: "nowhere")
        let store = try PostgresSpanStore(configuration: configuration, startupTimeout: .seconds(2))
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: StoreError.self) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                try await group.next()
            }
        }
        #expect(clock.now - started < .seconds(15))
        #expect(error?.code == .cannotOpen)
        #expect(error?.message.contains("127.0.0.1:1/choreo schema nowhere") == true, "\(String(describing: error))")
        await #expect(throws: StoreError.self) { try await store.spanCount() }
    }

    @Test(
        "a read-only store reads what a writer wrote, and the server refuses its writes; a schema without a store is refused",
        .enabled(if: TestDatabase.url != nil, TestDatabase.skipReason))
    func readOnly() async throws {
        try await withPostgresStore { writer in
            try await writer.append([Spans.make(trace: 1, span: 1, startMs: 1)])
            var configuration = writer.configuration
            configuration.readOnly = true
            let (read, refused) = try await PostgresSpanStore.withStore(configuration: configuration) { reader in
                let read = try await reader.spans(correlationID: "order-1").count
                do {
                    try await reader.append([Spans.make(trace: 1, span: 2, startMs: 2)])
                    return (read, nil as StoreError?)
                } catch let error as StoreError {
                    return (read, error)
                }
            }
            #expect(read == 1)
            #expect(refused?.code == .database, "\(String(describing: refused))")
            #expect(try await writer.spanCount() == 1)
            var elsewhere = try TestDatabase.configuration()
            elsewhere.readOnly = true
            let missing = await #expect(throws: StoreError.self) { try await PostgresSpanStore.withStore(configuration: elsewhere) { _ in } }
            #expect(missing?.message.contains("holds no Choreoscope span store") == true, "\(String(describing: missing))")
        }
    }

    @Test(
        "two stores on one schema (two collectors) append the same and different spans at once: each span once, every flow dirty",
        .enabled(if: TestDatabase.url != nil, TestDatabase.skipReason))
    func twoCollectors() async throws {
        try await withPostgresStore { first in
            #expect(try await first.spanCount() == 0)
            try await PostgresSpanStore.withStore(configuration: first.configuration) { second in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (n, store) in [first, second].enumerated() {
                        group.addTask {
                            for batch in 0..<20 {
                                // Shared spans (both send them, as an agent retrying to another collector would) and own ones.
                                let shared = (0..<10).map {
                                    Spans.make(trace: UInt64(batch), span: UInt64($0), correlationID: "flow-\($0)", startMs: UInt64(batch))
                                }
                                let own = [Spans.make(trace: 1000 + UInt64(n), span: UInt64(batch), correlationID: "own-\(n)", startMs: UInt64(batch))]
                                try await store.append(shared.reversed() + own)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(try await second.spanCount() == 20 * 10 + 2 * 20)
                let dirty = try await first.dirtyFlows(limit: 100).map(\.correlationID)
                #expect(Set(dirty) == Set((0..<10).map { "flow-\($0)" } + ["own-0", "own-1"]))
            }
        }
    }
}
