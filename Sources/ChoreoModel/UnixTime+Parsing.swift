extension UnixTime {
    /// The latest instant a span store holds: stores keep Unix nanoseconds as signed 64-bit
    /// integers, so 2262-04-11T23:47:16.854775807Z. A time from a request past it is refused
    /// (``requireStorable(_:)``), never wrapped around.
    public static let latestNanos = UInt64(Int64.max)

    /// Parses RFC 3339 into Unix nanoseconds; nil when ``nanos(rfc3339:)`` throws.
    public static func parseRFC3339(_ text: String) -> UInt64? {
        try? nanos(rfc3339: text)
    }

    /// Parses an RFC 3339 time (`Z` or `±hh:mm` offset, optional fraction, truncated to
    /// nanoseconds) into Unix nanoseconds.
    ///
    /// Total: every text gives a value or an error, never a trap. Every field is range-checked
    /// (month 01-12, day within its month, hour 00-23, minute 00-59, second 00-60, offset hours
    /// 00-23 and minutes 00-59), and the arithmetic is overflow-checked.
    ///
    /// - Throws: ``TimeParseError`` `malformed`, `out_of_range`, `before_epoch` (before 1970), or
    ///   `too_late` (past the largest `UInt64` nanosecond count, in the year 2554).
    public static func nanos(rfc3339 text: String) throws(TimeParseError) -> UInt64 {
        try RFC3339Fields(Array(text.utf8)).unixNanos()
    }

    /// `nanos` itself when a span store can hold it (at most ``latestNanos``).
    ///
    /// - Throws: ``TimeParseError`` `too_late` naming the latest time.
    public static func requireStorable(_ nanos: UInt64) throws(TimeParseError) -> UInt64 {
        guard nanos <= latestNanos else {
            throw TimeParseError(.tooLate, "the time is after 2262-04-11T23:47:16Z (year 2262), the latest a span store holds")
        }
        return nanos
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm), for
    /// years 0 to 9999 (the only ones RFC 3339 writes).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}

/// The fields of an RFC 3339 time, each checked against its range.
struct RFC3339Fields {
    var year: Int64 = 0, month: Int64 = 0, day: Int64 = 0
    var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0
    /// Nanoseconds within the second.
    var fraction: UInt64 = 0
    /// Seconds east of UTC.
    var offsetSeconds: Int64 = 0

    init(_ bytes: [UInt8]) throws(TimeParseError) {
        var cursor = RFC3339Cursor(bytes: bytes)
        year = try cursor.number(width: 4)
        try cursor.expect("-")
        month = try cursor.number(width: 2)
        try cursor.expect("-")
        day = try cursor.number(width: 2)
        try cursor.expect("T", "t", " ")
        hour = try cursor.number(width: 2)
        try cursor.expect(":")
        minute = try cursor.number(width: 2)
        try cursor.expect(":")
        second = try cursor.number(width: 2)
        fraction = try cursor.fraction()
        offsetSeconds = try cursor.offset()
        guard cursor.atEnd else { throw RFC3339Cursor.malformed }
        try checkRanges()
    }

    private func checkRanges() throws(TimeParseError) {
        func check(_ value: Int64, _ range: ClosedRange<Int64>, _ name: String) throws(TimeParseError) {
            guard range.contains(value) else {
                throw TimeParseError(.outOfRange, "\(name) \(value) is out of range (\(range.lowerBound) to \(range.upperBound))")
            }
        }
        try check(month, 1...12, "month")
        try check(day, 1...Self.days(inMonth: month, year: year), "day")
        try check(hour, 0...23, "hour")
        try check(minute, 0...59, "minute")
        try check(second, 0...60, "second")  // 60: a leap second, counted as the next second
    }

    static func days(inMonth month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The instant in Unix nanoseconds, overflow-checked.
    func unixNanos() throws(TimeParseError) -> UInt64 {
        let days = UnixTime.daysFromCivil(year: year, month: month, day: day)
        var seconds = try Self.checked(days.multipliedReportingOverflow(by: 86_400))
        for (value, scale) in [(hour, Int64(3_600)), (minute, 60), (second, 1)] {
            seconds = try Self.checked(seconds.addingReportingOverflow(try Self.checked(value.multipliedReportingOverflow(by: scale))))
        }
        seconds = try Self.checked(seconds.subtractingReportingOverflow(offsetSeconds))
        guard seconds >= 0 else { throw TimeParseError(.beforeEpoch, "the time is before 1970-01-01T00:00:00Z") }
        let whole = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let total = whole.partialValue.addingReportingOverflow(fraction)
        guard !whole.overflow, !total.overflow else { throw Self.pastUInt64 }
        return total.partialValue
    }

    private static let pastUInt64 = TimeParseError(
        .tooLate, "the time is after 2554-07-21T23:34:33Z, the latest that Unix nanoseconds count to"
    )

    private static func checked(_ result: (partialValue: Int64, overflow: Bool)) throws(TimeParseError) -> Int64 {
        guard !result.overflow else { throw pastUInt64 }
        return result.partialValue
    }
}
