import Foundation

/// A list of strings stored in one TEXT column as a JSON array (readable with `sqlite3`, and
/// queryable with `json_each`).
enum StringList {
    static func encode(_ list: [String]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: list),
            let text = String(data: data, encoding: .utf8)
        else { return "[]" }
        return text
    }

    static func decode(_ text: String?) throws -> [String] {
        guard let text, !text.isEmpty else { return [] }
        guard let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else {
            throw StoreError(.corruptRecord, "a stored string list is not a JSON array of strings: \(text.prefix(80))")
        }
        return list
    }
}
