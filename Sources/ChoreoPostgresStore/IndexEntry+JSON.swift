import ChoreoStore

/// The index upsert's JSON document, written by hand: a JSON array of ``IndexEntry`` objects with
/// the keys `json_to_recordset` reads (an absent optional is `null`).
///
/// Foundation's `JSONEncoder` went through `Encodable`'s boxed containers for every field and was
/// 5 % of a collector's CPU under PostgreSQL ingest; this writes the bytes straight into one
/// buffer. Strings are escaped as JSON requires (ChoreoStore's `JSONText`, which SQLite's string
/// lists use too). NUL never reaches it: `PostgresText.clean` replaced it, as PostgreSQL's `text`
/// cannot hold it.
enum IndexEntryJSON {
    static func document(_ entries: [IndexEntry]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(entries.count * 320 + 2)
        out.append(UInt8(ascii: "["))
        for (index, entry) in entries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            write(entry, into: &out)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func write(_ entry: IndexEntry, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"c":"#.utf8)
        JSONText.appendString(entry.c, to: &out)
        out.append(contentsOf: #","status":"#.utf8)
        JSONText.appendString(entry.status, to: &out)
        out.append(contentsOf: #","outcome":"#.utf8)
        optional(entry.outcome, into: &out, JSONText.appendString)
        out.append(contentsOf: #","started":"#.utf8)
        integer(entry.started, into: &out)
        out.append(contentsOf: #","last":"#.utf8)
        integer(entry.last, into: &out)
        out.append(contentsOf: #","steps":"#.utf8)
        integer(entry.steps, into: &out)
        out.append(contentsOf: #","compensations":"#.utf8)
        integer(entry.compensations, into: &out)
        out.append(contentsOf: #","errors":"#.utf8)
        integer(entry.errors, into: &out)
        out.append(contentsOf: #","waiting":"#.utf8)
        optional(entry.waiting, into: &out, JSONText.appendString)
        out.append(contentsOf: #","services":"#.utf8)
        array(entry.services, into: &out, JSONText.appendString)
        out.append(contentsOf: #","types":"#.utf8)
        array(entry.types, into: &out, JSONText.appendString)
        out.append(contentsOf: #","trail_types":"#.utf8)
        optional(entry.trail_types, into: &out) { array($0, into: &$1, JSONText.appendString) }
        out.append(contentsOf: #","trail_services":"#.utf8)
        optional(entry.trail_services, into: &out) { array($0, into: &$1, JSONText.appendString) }
        out.append(contentsOf: #","trail_times":"#.utf8)
        optional(entry.trail_times, into: &out) { array($0, into: &$1, integer) }
        out.append(contentsOf: #","due":"#.utf8)
        optional(entry.due, into: &out, integer)
        out.append(contentsOf: #","sampled":"#.utf8)
        optional(entry.sampled, into: &out, integer)
        out.append(UInt8(ascii: "}"))
    }

    private static func optional<T>(_ value: T?, into out: inout [UInt8], _ write: (T, inout [UInt8]) -> Void) {
        if let value { write(value, &out) } else { out.append(contentsOf: "null".utf8) }
    }

    private static func array<T>(_ values: [T], into out: inout [UInt8], _ write: (T, inout [UInt8]) -> Void) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            write(value, &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    static func integer(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: DecimalText.digitCount(value.magnitude)))
        out.withUnsafeMutableBytes { DecimalText.write(value.magnitude, into: UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
    }
}
