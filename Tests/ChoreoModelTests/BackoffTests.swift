import ChoreoModel
import Testing

@Suite("Backoff with jitter")
struct BackoffTests {
    private let doubling = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: .none)

    @Test(
        "the backoff multiplies per retry and stops at the maximum",
        arguments: [
            (1, 100), (2, 200), (3, 400), (4, 800), (5, 1_000), (6, 1_000), (40, 1_000),
        ])
    func doublesUpToTheCap(retry: Int, milliseconds: Int) {
        #expect(doubling.ceiling(beforeRetry: retry) == .milliseconds(milliseconds))
        #expect(doubling.delay(beforeRetry: retry, fraction: 0.7) == .milliseconds(milliseconds))
    }

    @Test("another multiplier grows by that factor")
    func tripling() {
        let backoff = Backoff(initial: .seconds(1), maximum: .seconds(100), multiplier: 3, jitter: .none)
        #expect((1...6).map { backoff.ceiling(beforeRetry: $0) } == [1, 3, 9, 27, 81, 100].map { Duration.seconds($0) })
    }

    @Test("equal jitter stays within half the backoff and the backoff, and uses the whole range")
    func equalJitterBounds() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: .equal)
        var random = SplitMix64(seed: 11)
        for retry in 1...6 {
            let ceiling = backoff.ceiling(beforeRetry: retry)
            let waits = (0..<500).map { _ in backoff.delay(beforeRetry: retry, using: &random) }
            #expect(waits.allSatisfy { $0 >= ceiling / 2 && $0 <= ceiling })
            #expect(waits.contains { $0 < ceiling * 0.6 } && waits.contains { $0 > ceiling * 0.9 })
        }
        #expect(backoff.delay(beforeRetry: 2, fraction: 0) == .milliseconds(100))
        #expect(backoff.delay(beforeRetry: 2, fraction: 1) == .milliseconds(200))
    }

    @Test("full jitter stays within zero and the backoff, and goes below half of it")
    func fullJitterBounds() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: .full)
        var random = SplitMix64(seed: 12)
        let waits = (0..<500).map { _ in backoff.delay(beforeRetry: 3, using: &random) }
        #expect(waits.allSatisfy { $0 >= .zero && $0 <= .milliseconds(400) })
        #expect(waits.contains { $0 < .milliseconds(100) } && waits.contains { $0 > .milliseconds(360) })
    }

    @Test("no jitter draws nothing from the generator")
    func noJitterDrawsNothing() {
        var random = SplitMix64(seed: 5)
        _ = doubling.delay(beforeRetry: 3, using: &random)
        #expect(random.state == SplitMix64(seed: 5).state)
    }

    @Test("hostile inputs give a bounded answer without trapping", arguments: [Int.min, -1, 0, Int.max])
    func hostileRetryNumbers(retry: Int) {
        let expected: Duration = retry == .max ? .seconds(1) : .milliseconds(100)
        #expect(doubling.ceiling(beforeRetry: retry) == expected)
    }

    @Test("a maximum near Duration's range does not overflow; out-of-range fractions are clamped")
    func extremes() {
        let huge = Backoff(initial: .seconds(1), maximum: .seconds(Int64.max), jitter: .equal)
        #expect(huge.ceiling(beforeRetry: .max) == .seconds(Int64.max))
        let backoff = Backoff(initial: .seconds(2), maximum: .seconds(2), jitter: .equal)
        #expect(backoff.delay(beforeRetry: 1, fraction: -3) == .seconds(1))
        #expect(backoff.delay(beforeRetry: 1, fraction: 9) == .seconds(2))
        #expect(backoff.delay(beforeRetry: 1, fraction: .nan) == .seconds(1))
        #expect(Backoff(initial: .seconds(5), maximum: .seconds(1), jitter: .none).ceiling(beforeRetry: 1) == .seconds(1))
        #expect(Backoff(initial: .zero, maximum: .seconds(1), jitter: .none).ceiling(beforeRetry: .max) == .zero)
        #expect(Backoff(initial: .seconds(1), maximum: .seconds(9), multiplier: 0, jitter: .none).ceiling(beforeRetry: 5) == .seconds(1))
    }
}
