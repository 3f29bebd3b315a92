/// Reads ``DurationText``'s segments from UTF-8 bytes.
struct DurationScanner {
    let text: String
    private let bytes: [UInt8]
    private var index: Int

    init(text: String) {
        self.text = text
        var bytes = Array(text.utf8)
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        let leading = bytes.prefix { $0 == 0x20 || $0 == 0x09 }.count
        self.bytes = Array(bytes.dropFirst(leading))
        index = 0
    }

    var isAtEnd: Bool { index == bytes.count }
    var utf8Count: Int { bytes.count }
    var peek: UInt8? { isAtEnd ? nil : bytes[index] }

    /// One number and its unit, in nanoseconds.
    mutating func segment(bareUnit: DurationText.Unit?) throws(DurationTextError) -> Int64 {
        let whole = digits()
        guard !whole.isEmpty else {
            throw DurationTextError(text, "expected a number at \"\(String(decoding: bytes[index...], as: UTF8.self))\"")
        }
        var fraction: ArraySlice<UInt8> = []
        if peek == UInt8(ascii: ".") {
            index += 1
            fraction = digits()
            guard !fraction.isEmpty else { throw DurationTextError(text, "a decimal point needs digits after it") }
        }
        let unit = try self.unit(bareUnit: bareUnit, isWholeText: index == bytes.count && whole.startIndex == 0)
        return try Self.nanoseconds(whole: whole, fraction: fraction, unit: unit, text: text)
    }

    private mutating func digits() -> ArraySlice<UInt8> {
        let start = index
        while let byte = peek, (0x30...0x39).contains(byte) { index += 1 }
        return bytes[start..<index]
    }

    private mutating func unit(bareUnit: DurationText.Unit?, isWholeText wholeText: Bool) throws(DurationTextError) -> DurationText.Unit {
        let start = index
        while let byte = peek, (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) { index += 1 }
        let name = String(decoding: bytes[start..<index], as: UTF8.self).lowercased()
        if name.isEmpty {
            if wholeText, let bareUnit { return bareUnit }
            let next = isAtEnd ? "found none" : "found \"\(String(decoding: bytes[index...], as: UTF8.self))\""
            throw DurationTextError(text, "a number needs a unit (ms, s, m, h, d or w); \(next)")
        }
        guard let unit = DurationText.Unit(rawValue: name) else {
            throw DurationTextError(text, "\"\(name)\" is not a unit; use ms, s, m, h, d or w")
        }
        return unit
    }

    /// `whole.fraction` units in nanoseconds, overflow-checked (the fraction rounds to the nanosecond).
    private static func nanoseconds(
        whole: ArraySlice<UInt8>, fraction: ArraySlice<UInt8>, unit: DurationText.Unit, text: String
    ) throws(DurationTextError) -> Int64 {
        var count: Int64 = 0
        for digit in whole {
            let (tens, o1) = count.multipliedReportingOverflow(by: 10)
            let (next, o2) = tens.addingReportingOverflow(Int64(digit - 0x30))
            guard !o1, !o2 else { throw DurationTextError.tooLong(text) }
            count = next
        }
        let (wholeNanos, overflow) = count.multipliedReportingOverflow(by: unit.nanoseconds)
        guard !overflow else { throw DurationTextError.tooLong(text) }
        guard !fraction.isEmpty else { return wholeNanos }
        let part = Double("0." + String(decoding: fraction.prefix(18), as: UTF8.self)) ?? 0
        let (sum, o3) = wholeNanos.addingReportingOverflow(Int64((part * Double(unit.nanoseconds)).rounded()))
        guard !o3 else { throw DurationTextError.tooLong(text) }
        return sum
    }
}
