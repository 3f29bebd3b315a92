import Foundation

/// A list of strings stored in one TEXT column as a JSON array (readable with `sqlite3`, and
/// queryable with `json_each`).
///
/// Encoding is on the ingest path (every flow summary the indexer writes), so it writes the
/// JSON itself: `"` and `\` escaped, control characters as `\uXXXX`, everything else as UTF-8.
enum StringList {
    static func encode(_ list: [String]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(list.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, item) in list.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            for byte in item.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    bytes.append(UInt8(ascii: "\\"))
                    bytes.append(byte)
                case 0..<0x20:
                    bytes.append(contentsOf: Array("\\u00".utf8))
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0xF)])
                default:
                    bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let hex = Array("0123456789abcdef".utf8)

    static func decode(_ text: String?) throws -> [String] {
        guard let text, !text.isEmpty else { return [] }
        guard let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else {
            throw StoreError(.corruptRecord, "a stored string list is not a JSON array of strings: \(text.prefix(80))")
        }
        return list
    }
}
