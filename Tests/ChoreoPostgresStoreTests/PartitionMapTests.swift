import Testing

@testable import ChoreoPostgresStore

@Suite("PostgreSQL span store: partition map")
struct PartitionMapTests {
    static let day: Int64 = 86_400_000_000_000

    @Test("partition names are the UTC start: the day, the time of day when not midnight, nanoseconds when not whole")
    func names() {
        #expect(PartitionMap.name(lower: 0) == "spans_19700101")
        #expect(PartitionMap.name(lower: 19_675 * Self.day) == "spans_20231114")
        #expect(PartitionMap.name(lower: 11_016 * Self.day) == "spans_20000229")
        #expect(PartitionMap.name(lower: 19_675 * Self.day + 3_723_000_000_000) == "spans_20231114_010203")
        #expect(PartitionMap.name(lower: 19_675 * Self.day + 5) == "spans_20231114_n5")
    }

    @Test("missing partitions: one aligned slot per uncovered time, each once, in order")
    func missing() {
        let map = PartitionMap([PartitionMap.Partition(name: "a", range: 10 * Self.day..<11 * Self.day)])
        let times = [10 * Self.day + 5, 12 * Self.day + 1, 12 * Self.day + 9, 9 * Self.day]
        #expect(map.missing(for: times, width: Self.day) == [9 * Self.day..<10 * Self.day, 12 * Self.day..<13 * Self.day])
        #expect(map.missing(for: [10 * Self.day], width: Self.day).isEmpty)
        #expect(map.covers(11 * Self.day - 1) && !map.covers(11 * Self.day))
    }

    @Test("a new slot is clipped to the partitions around it (made with another width), never overlapping")
    func clipped() {
        let hour = Self.day / 24
        let map = PartitionMap([
            PartitionMap.Partition(name: "a", range: 0..<(10 * hour)),
            PartitionMap.Partition(name: "b", range: (20 * hour)..<(30 * hour)),
        ])
        #expect(map.missing(for: [12 * hour], width: Self.day) == [(10 * hour)..<(20 * hour)])
        #expect(map.missing(for: [31 * hour], width: Self.day) == [(30 * hour)..<(48 * hour)])
    }

    @Test("expired partitions end at or before the cutoff, oldest first")
    func expired() {
        let map = PartitionMap([
            PartitionMap.Partition(name: "c", range: 2 * Self.day..<3 * Self.day),
            PartitionMap.Partition(name: "a", range: 0..<Self.day),
            PartitionMap.Partition(name: "b", range: Self.day..<2 * Self.day),
        ])
        #expect(map.expired(before: 2 * Self.day).map(\.name) == ["a", "b"])
        #expect(map.expired(before: 2 * Self.day - 1).map(\.name) == ["a"])
    }

    @Test("catalog bounds are read back; anything else is refused")
    func bounds() {
        #expect(
            PostgresSpanStore.range(ofBound: "FOR VALUES FROM ('1700000000000000000') TO ('1700086400000000000')")
                == 1_700_000_000_000_000_000..<1_700_086_400_000_000_000)
        #expect(PostgresSpanStore.range(ofBound: "FOR VALUES FROM (MINVALUE) TO ('5')") == nil)
        #expect(PostgresSpanStore.range(ofBound: "DEFAULT") == nil)
    }

    @Test("configuration: URLs are read, bad values are refused with the reason")
    func configuration() throws {
        let c = try PostgresStoreConfiguration(url: "postgres://u:p@db.example:6543/traces?schema=choreo2&sslmode=disable")
        #expect(c.host == "db.example" && c.port == 6543 && c.username == "u" && c.password == "p" && c.database == "traces" && c.schema == "choreo2")
        #expect(PostgresStoreConfiguration.isURL("postgresql://x") && !PostgresStoreConfiguration.isURL("choreo.sqlite"))
        for bad in ["http://x/db", "postgres:///db", "postgres://h/db?schema=Bad-Name", "postgres://h/db?sslmode=require", "postgres://h/db?colour=red"] {
            #expect(throws: (any Error).self, "\(bad)") { try PostgresStoreConfiguration(url: bad) }
        }
        var narrow = PostgresStoreConfiguration()
        narrow.partitionWidth = .seconds(1)
        #expect(throws: (any Error).self) { try narrow.validate() }
    }
}
