/// The claims on flows of a store that one process alone indexes (``InMemorySpanStore``,
/// ``SQLiteSpanStore``): kept in memory, since no other process claims from the same store, and
/// gone with the process (its flows' dirty marks and due times stay in the store).
struct FlowClaims: Sendable {
    private var held: [String: (token: Int64, until: UInt64)] = [:]
    private var lastToken: Int64 = 0

    /// How many claims hold at `at`, so a caller can read enough candidates to skip them.
    func live(at: UInt64) -> Int { held.values.count { $0.until > at } }

    /// Claims up to `limit` of `candidates` (in their order) that no claim holds at `at`, until
    /// `at + lease`; returns the claim and the ids it took.
    mutating func take(_ candidates: [String], at: UInt64, limit: Int, lease: Duration) -> (claim: Int64, ids: [String]) {
        lastToken += 1
        let until = Self.end(of: lease, from: at)
        var taken: [String] = []
        for id in candidates where taken.count < limit && isFree(id, at: at) {
            held[id] = (lastToken, until)
            taken.append(id)
        }
        // A claim that ran out still holds until another takes the flow (its holder may yet
        // write); those nobody took are dropped only when many piled up (writes kept failing).
        if held.count > 10_000 { held = held.filter { $0.value.until > at || $0.value.token == lastToken } }
        return (lastToken, taken)
    }

    /// Whether `claim` still holds `id` (it was neither released nor taken over).
    func holds(_ id: String, claim: Int64) -> Bool { held[id]?.token == claim }

    /// Ends `claim` on `id`, if it still holds it.
    mutating func release(_ id: String, claim: Int64) {
        if holds(id, claim: claim) { held[id] = nil }
    }

    /// Of `marks`, the correlation ids whose claim no longer holds: their entries must not be
    /// written. Marks without a claim are never stale.
    func stale(_ marks: [DirtyFlow]) -> Set<String> {
        Set(marks.compactMap { mark in mark.claim.flatMap { holds(mark.correlationID, claim: $0) ? nil : mark.correlationID } })
    }

    /// Releases the claims of `marks` that still hold.
    mutating func release(_ marks: [DirtyFlow]) {
        for mark in marks { if let claim = mark.claim { release(mark.correlationID, claim: claim) } }
    }

    private func isFree(_ id: String, at: UInt64) -> Bool {
        guard let claim = held[id] else { return true }
        return claim.until <= at
    }

    /// `from + lease` in nanoseconds, saturating; a negative lease is none.
    static func end(of lease: Duration, from: UInt64) -> UInt64 {
        from.addingReportingOverflow(nanoseconds(lease)).overflow ? .max : from + nanoseconds(lease)
    }

    /// A duration in whole nanoseconds, 0 when negative, saturating.
    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, carry) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return overflow || carry ? .max : sum
    }
}
