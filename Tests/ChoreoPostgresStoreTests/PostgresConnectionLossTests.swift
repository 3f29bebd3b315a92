import ChoreoModel
import ChoreoStore
import PostgresNIO
import Testing

@testable import ChoreoPostgresStore

@Suite("PostgreSQL span store: lost connections", .enabled(if: TestDatabase.url != nil, TestDatabase.skipReason), .timeLimit(.minutes(2)))
struct PostgresConnectionLossTests {
    @Test("when the server ends the store's connections, a call fails with a StoreError at worst, and the store recovers")
    func recovers() async throws {
        try await withPostgresStore { store in
            try await store.append([Spans.make(trace: 1, span: 1, startMs: 1)])
            let application = store.configuration.applicationName
            // Another store on the same database terminates every connection of this one, as a server restart would.
            var other = try TestDatabase.configuration(schema: store.configuration.schema)
            other.applicationName = application + "-killer"
            try await PostgresSpanStore.withStore(configuration: other) { killer in
                let rows = try await killer.perform("terminating") {
                    try await killer.query(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = \(application) AND pid <> pg_backend_pid()")
                }
                #expect(try rows.first?.decode(Int64.self) ?? 0 >= 1, "a connection of the store was terminated")
            }
            var failures: [StoreError] = []
            var stored = false
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while !stored, clock.now < deadline {
                do {
                    try await store.append([Spans.make(trace: 1, span: 2, startMs: 2)])
                    stored = true
                } catch let error as StoreError {
                    failures.append(error)
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(stored, "the store recovered: \(failures)")
            #expect(failures.allSatisfy { $0.code == .database }, "\(failures)")
            #expect(try await store.spans(correlationID: "order-1").count == 2)
        }
    }
}
