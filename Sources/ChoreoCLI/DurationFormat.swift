/// Short human renderings of nanosecond durations: `0ms`, `850µs`, `12.3ms`, `1.234s`, `2m03s`, `1h02m`.
enum DurationFormat {
    static func string(_ nanos: UInt64) -> String {
        switch nanos {
        case 0:
            return "0ms"
        case ..<1_000_000:
            return "\(nanos / 1000)µs"
        case ..<1_000_000_000:
            return "\(decimal(nanos, unit: 1_000_000, places: 1))ms"
        case ..<60_000_000_000:
            return "\(decimal(nanos, unit: 1_000_000_000, places: 3))s"
        case ..<3_600_000_000_000:
            let seconds = nanos / 1_000_000_000
            return "\(seconds / 60)m\(twoDigits(seconds % 60))s"
        default:
            let minutes = nanos / 60_000_000_000
            return "\(minutes / 60)h\(twoDigits(minutes % 60))m"
        }
    }

    /// `nanos / unit` with `places` decimals, truncated.
    private static func decimal(_ nanos: UInt64, unit: UInt64, places: Int) -> String {
        var scale: UInt64 = 1
        for _ in 0..<places { scale *= 10 }
        let whole = nanos / unit
        let fraction = nanos % unit * scale / unit
        let digits = String(fraction)
        return "\(whole)." + String(repeating: "0", count: places - digits.count) + digits
    }

    private static func twoDigits(_ value: UInt64) -> String {
        value < 10 ? "0\(value)" : String(value)
    }

    /// The duration from `start` to `end`, zero when the clock ran backwards.
    static func between(_ start: UInt64, _ end: UInt64) -> String {
        string(end >= start ? end - start : 0)
    }
}
