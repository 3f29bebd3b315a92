/// Reads an RFC 3339 text byte by byte; every read is bounds-checked.
struct RFC3339Cursor {
    let bytes: [UInt8]
    var index = 0

    static let malformed = TimeParseError(.malformed, "expected an RFC 3339 time such as 2026-11-21T10:00:00Z")

    var atEnd: Bool { index == bytes.count }

    /// Exactly `width` ASCII digits.
    mutating func number(width: Int) throws(TimeParseError) -> Int64 {
        var value: Int64 = 0
        for _ in 0..<width {
            guard let digit = nextDigit() else { throw Self.malformed }
            value = value * 10 + digit
        }
        return value
    }

    mutating func expect(_ allowed: Character...) throws(TimeParseError) {
        guard index < bytes.count, allowed.contains(where: { $0.asciiValue == bytes[index] }) else { throw Self.malformed }
        index += 1
    }

    /// An optional `.digits` fraction as nanoseconds; digits past the ninth are read and dropped.
    mutating func fraction() throws(TimeParseError) -> UInt64 {
        guard index < bytes.count, bytes[index] == UInt8(ascii: ".") else { return 0 }
        index += 1
        var nanos: UInt64 = 0
        var digits = 0
        while let digit = nextDigit() {
            if digits < 9 { nanos = nanos * 10 + UInt64(digit) }
            digits += 1
        }
        guard digits > 0 else { throw Self.malformed }
        for _ in min(digits, 9)..<9 { nanos *= 10 }
        return nanos
    }

    /// `Z` (0) or `±hh:mm`, in seconds east of UTC.
    mutating func offset() throws(TimeParseError) -> Int64 {
        guard index < bytes.count else { throw Self.malformed }
        let sign = bytes[index]
        index += 1
        switch sign {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            return 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let hours = try number(width: 2)
            try expect(":")
            let minutes = try number(width: 2)
            guard hours <= 23, minutes <= 59 else {
                let text = "\(Character(Unicode.Scalar(sign)))\(hours < 10 ? "0" : "")\(hours):\(minutes < 10 ? "0" : "")\(minutes)"
                throw TimeParseError(.outOfRange, "the offset \(text) is out of range (hours 00-23, minutes 00-59)")
            }
            return (hours * 3_600 + minutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
        default:
            throw Self.malformed
        }
    }

    private mutating func nextDigit() -> Int64? {
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
        defer { index += 1 }
        return Int64(bytes[index] - UInt8(ascii: "0"))
    }
}
