#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `--json` output: models re-encoded in their contract form, pretty-printed, keys sorted.
public enum JSONOutput {
    /// `value` as pretty-printed JSON with sorted keys, slashes unescaped, newline-terminated.
    public static func string(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// Compact JSON (as the collector answers, keys already sorted) laid out exactly as
    /// ``string(_:)`` lays out the same value: two-space indent, `"key" : value`, empty
    /// containers as `[`, a blank line, `]`. One pass over the bytes, no decoding: a flow of
    /// 100,000 steps is 70 MB of JSON, and decoding it only to encode it again costs seconds.
    ///
    /// The input must be valid compact JSON (no whitespace outside strings); anything else is
    /// returned with its whitespace kept.
    public static func prettyPrinted(compact bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2 + 1)
        var depth = 0
        var inString = false
        var escaped = false
        var index = bytes.startIndex
        func newline(_ depth: Int) {
            out.append(UInt8(ascii: "\n"))
            for _ in 0..<(2 * depth) { out.append(UInt8(ascii: " ")) }
        }
        while index != bytes.endIndex {
            let byte = bytes[index]
            bytes.formIndex(after: &index)
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                out.append(byte)
                let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if index != bytes.endIndex, bytes[index] == close {
                    // An empty container: open, a blank line, close at this level.
                    out.append(UInt8(ascii: "\n"))
                    newline(depth)
                    out.append(close)
                    bytes.formIndex(after: &index)
                } else {
                    depth += 1
                    newline(depth)
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth = max(0, depth - 1)
                newline(depth)
                out.append(byte)
            case UInt8(ascii: ","):
                out.append(byte)
                newline(depth)
            case UInt8(ascii: ":"):
                out.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: " ")])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }
}
