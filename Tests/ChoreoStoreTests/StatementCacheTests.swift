import ChoreoModel
import Testing

@testable import ChoreoStore

/// The prepared-statement cache of a SQLite connection is an LRU with a cap: distinct SQL texts
/// (e.g. flow queries with filter lists of every length) cannot grow it without bound.
@Suite("SQLite statement cache")
struct StatementCacheTests {
    let cap = SQLiteStatementCache.defaultCapacity

    func withConnection(_ body: (SQLiteConnection) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let connection = try SQLiteConnection(path: directory.file("cache.sqlite"), create: true)
        defer { connection.close() }
        try body(connection)
    }

    /// Runs `SELECT ?1 + n` and returns its one value.
    func select(_ connection: SQLiteConnection, _ n: Int) throws -> Int64 {
        let statement = try connection.cached("SELECT ?1 + \(n)")
        defer { statement.reset() }
        try statement.bind(1, Int64(1))
        #expect(try statement.step())
        return statement.int64(0)
    }

    @Test("thousands of distinct SQL texts keep the cache and the live statements at the cap")
    func bounded() throws {
        try withConnection { connection throws in
            for n in 0..<3_000 { #expect(try select(connection, n) == Int64(n + 1)) }
            #expect(connection.cachedStatementCount == cap)
            #expect(connection.liveStatementCount == cap, "evicted statements must be finalized, not only forgotten")
        }
    }

    @Test("a statement in steady use stays cached while thousands of others come and go, and still works")
    func recentlyUsedStays() throws {
        try withConnection { connection throws in
            let hot = try connection.cached("SELECT ?1 + 1000000")
            for n in 0..<2_000 {
                #expect(try select(connection, n) == Int64(n + 1))
                if n % 10 == 0 { #expect(try connection.cached("SELECT ?1 + 1000000") === hot, "the hot statement was evicted at \(n)") }
            }
            #expect(try select(connection, 1_000_000) == 1_000_001)
        }
    }

    @Test("an evicted statement is prepared again when it comes back, and gives the right answer")
    func evictedComesBack() throws {
        try withConnection { connection throws in
            let first = try connection.cached("SELECT ?1 + 7")
            for n in 100..<(100 + cap * 2) { _ = try select(connection, n) }
            let again = try connection.cached("SELECT ?1 + 7")
            #expect(again !== first, "the statement should have been evicted by \(cap * 2) newer ones")
            #expect(try select(connection, 7) == 8)
        }
    }

    @Test("a statement a caller still holds survives its eviction and is finalized once released")
    func heldSurvivesEviction() throws {
        try withConnection { connection throws in
            var held: SQLiteStatement? = try connection.cached("SELECT ?1 * 3")
            for n in 0..<(cap * 3) { _ = try select(connection, n) }
            #expect(connection.cachedStatementCount == cap)
            #expect(connection.liveStatementCount == cap + 1)
            try held?.bind(1, Int64(14))
            #expect(try held?.step() == true)
            #expect(held?.int64(0) == 42)
            held?.reset()
            held = nil
            #expect(connection.liveStatementCount == cap)
        }
    }

    @Test("flow queries with type and service lists of every length keep a reader at the cap and answer correctly")
    func flowQueriesOfEveryShape() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("spans.sqlite")
        let store = try SQLiteSpanStore(path: path)
        try await store.upsertFlows(FlowIndexStoreTests.entries, clearing: [])
        await store.close()
        let reader = try SQLiteReader(path: path, options: SQLiteOptions())
        defer { reader.close() }
        for length in 1...1_500 {
            let types = (0..<(length % 150)).map { "Type\($0)" } + ["RefundPayment"]
            let services = (0..<(length / 150)).map { "service\($0)" } + ["order"]
            let query = FlowQuery(statuses: length % 2 == 0 ? [.compensated] : [], types: types, services: services)
            #expect(try reader.flowSummaries(query).map(\.correlationID) == ["c"], "filter lists of \(types.count) types, \(services.count) services")
        }
        #expect(reader.db.cachedStatementCount <= cap)
        #expect(reader.db.liveStatementCount <= cap)
    }
}
