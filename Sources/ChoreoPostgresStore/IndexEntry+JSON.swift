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
        string(entry.c, into: &out)
        out.append(contentsOf: #","status":"#.utf8)
        string(entry.status, into: &out)
        out.append(contentsOf: #","outcome":"#.utf8)
        optional(entry.outcome, into: &out, string)
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
        optional(entry.waiting, into: &out, string)
        out.append(contentsOf: #","services":"#.utf8)
        array(entry.services, into: &out, string)
        out.append(contentsOf: #","types":"#.utf8)
        array(entry.types, into: &out, string)
        out.append(contentsOf: #","trail_types":"#.utf8)
        optional(entry.trail_types, into: &out) { array($0, into: &$1, string) }
        out.append(contentsOf: #","trail_services":"#.utf8)
        optional(entry.trail_services, into: &out) { array($0, into: &$1, string) }
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

    static func string(_ value: String, into out: inout [UInt8]) {
        JSONText.appendString(value, to: &out)
    }

    static func integer(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        // The magnitude as unsigned, so Int64.min has one too.
        var rest = value.magnitude
        var digits:
            (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }
}
