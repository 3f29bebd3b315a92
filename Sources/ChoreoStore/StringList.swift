import Foundation

/// A list of strings stored in one TEXT column as a JSON array (readable with `sqlite3`, and
/// queryable with `json_each`).
///
/// Encoding is on the ingest path (every flow summary the indexer writes), so it writes the
/// JSON itself (`JSONText`).
enum StringList {
    static func encode(_ list: [String]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(list.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, item) in list.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONText.appendString(item, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }

    static func decode(_ text: String?) throws -> [String] {
        guard let text, !text.isEmpty else { return [] }
        guard let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else {
            throw StoreError(.corruptRecord, "a stored string list is not a JSON array of strings: \(text.prefix(80))")
        }
        return list
    }
}
