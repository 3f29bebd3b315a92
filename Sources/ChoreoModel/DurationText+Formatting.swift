extension DurationText {
    /// `duration` in the grammar, largest unit first (`1h30m`, `1w`, `250ms`, `1.5ms`, `0s`),
    /// so that ``parse(_:bareNumbersIn:)`` gives it back exactly; durations past `Int64.max`
    /// nanoseconds are written as that.
    public static func format(_ duration: Duration) -> String {
        guard duration >= .zero else { return "-" + format(.zero - duration) }
        return format(nanoseconds: nanoseconds(of: duration))
    }

    /// Whole nanoseconds in `duration` (at least 0), at most `Int64.max`.
    public static func nanoseconds(of duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (wholeNanos, o1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (nanos, o2) = wholeNanos.addingReportingOverflow(attoseconds / 1_000_000_000)
        return o1 || o2 ? .max : nanos
    }

    /// `nanoseconds` (at least 0) in the grammar, largest unit first.
    public static func format(nanoseconds: Int64) -> String {
        guard nanoseconds > 0 else { return "0s" }
        var rest = nanoseconds
        var text = ""
        for unit in [Unit.weeks, .days, .hours, .minutes, .seconds] where rest >= unit.nanoseconds {
            text += "\(rest / unit.nanoseconds)\(unit.rawValue)"
            rest %= unit.nanoseconds
        }
        guard rest > 0 else { return text }
        let milliseconds = rest / 1_000_000
        let below = rest % 1_000_000
        var fraction = ""
        if below > 0 {
            fraction = String(below)
            fraction = "." + String(repeating: "0", count: 6 - fraction.count) + fraction
            while fraction.last == "0" { fraction.removeLast() }
        }
        return text + "\(milliseconds)\(fraction)ms"
    }
}
