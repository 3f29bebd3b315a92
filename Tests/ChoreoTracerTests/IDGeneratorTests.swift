import ChoreoModel
import ChoreoTracer
import Testing

@Suite("IDGenerator")
struct IDGeneratorTests {
    @Test("a million span and trace ids are all valid and distinct")
    func uniqueAndNonZero() {
        let generator = IDGenerator()
        var spans = Set<SpanID>(minimumCapacity: 1_000_000)
        var traces = Set<TraceID>(minimumCapacity: 1_000_000)
        for _ in 0..<1_000_000 {
            let span = generator.nextSpanID()
            let trace = generator.nextTraceID()
            #expect(span.isValid && trace.isValid)
            spans.insert(span)
            traces.insert(trace)
        }
        #expect(spans.count == 1_000_000)
        #expect(traces.count == 1_000_000)
    }

    @Test("the same seed gives the same ids; different seeds differ", arguments: [0, 1, 0xDEAD_BEEF] as [UInt64])
    func seeded(seed: UInt64) {
        let first = IDGenerator(seed: seed)
        let second = IDGenerator(seed: seed)
        let other = IDGenerator(seed: seed &+ 1)
        let a = (0..<100).map { _ in first.nextRootIDs() }
        let b = (0..<100).map { _ in second.nextRootIDs() }
        let c = (0..<100).map { _ in other.nextRootIDs() }
        #expect(a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1))
        #expect(a.map(\.1) != c.map(\.1))
        #expect(a.allSatisfy { $0.0.isValid && $0.1.isValid })
    }

    @Test("unseeded generators do not repeat each other")
    func unseededDiffer() {
        let ids = (0..<8).map { _ in IDGenerator().nextSpanID() }
        #expect(Set(ids).count == ids.count)
    }

    @Test("concurrent callers never receive the same id")
    func concurrent() async {
        let generator = IDGenerator(seed: 7)
        let all = await withTaskGroup(of: [SpanID].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<20_000).map { _ in generator.nextSpanID() } }
            }
            return await group.reduce(into: [SpanID]()) { $0 += $1 }
        }
        #expect(all.count == 160_000)
        #expect(Set(all).count == all.count)
    }

    @Test("xoshiro256** output matches an independent computation of its first values")
    func xoshiroReference() {
        // Seed 0 through SplitMix64 gives this state (SplitMix64 reference values).
        var splitMix = SplitMix64(seed: 0)
        var s = [splitMix.next(), splitMix.next(), splitMix.next(), splitMix.next()]
        #expect(s[0] == 0xE220_A839_7B1D_CDAF)
        func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
        var expected: [UInt64] = []
        for _ in 0..<5 {
            expected.append(rotl(s[1] &* 5, 7) &* 9)
            let t = s[1] << 17
            s[2] ^= s[0]
            s[3] ^= s[1]
            s[1] ^= s[2]
            s[0] ^= s[3]
            s[2] ^= t
            s[3] = rotl(s[3], 45)
        }
        var rng = Xoshiro256StarStar(seed: 0)
        #expect((0..<5).map { _ in rng.next() } == expected)
    }
}
