import BenchSupport

/// Times an operation in rounds of many calls: one value (ns per call) per round, so the
/// report's p50 and p99 are over rounds.
struct Rounds {
    var rounds: Int
    var perRound: Int

    /// Nanoseconds per call of `operation`, one sample per round, after one untimed warm-up round.
    /// The operation returns a value that is folded into a sink, so the optimiser cannot drop it.
    func measure(_ operation: () -> UInt64) -> (samples: Samples, sink: UInt64) {
        var sink: UInt64 = 0
        for _ in 0..<perRound { sink ^= operation() }
        var samples = Samples()
        let clock = ContinuousClock()
        for _ in 0..<rounds {
            let start = clock.now
            for _ in 0..<perRound { sink ^= operation() }
            samples.add(start.duration(to: clock.now).nanoseconds / Double(perRound))
        }
        return (samples, sink)
    }
}
