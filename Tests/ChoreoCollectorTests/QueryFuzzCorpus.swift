import ChoreoModel
import Foundation

/// The draws the query fuzzer needs, on the shared seeded generator, so a failing fuzz run is
/// replayed from its seed.
extension SplitMix64 {
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }

    mutating func pick<T>(_ values: [T]) -> T { values.randomElement(using: &self)! }
}

/// Values for every query parameter and path id of the query API: valid ones (matching the
/// fixture data) and hostile ones, as URI text (already percent-encoded where needed).
enum QueryFuzzCorpus {
    /// Valid values by parameter name, decoded.
    static func valid(_ name: String, stored: QueryFuzzStore) -> [String] {
        switch name {
        case "status": ["compensated", "completed", "failed", "in_flight", "stuck", "compensated,completed", " compensated , failed "]
        case "type": ["OrderPlaced", "PaymentReceived", "RefundPayment", "OrderPlaced,RefundPayment", "NoSuchType"]
        case "service": ["order", "payment", "checkout", "order,payment", "nobody"]
        case "since", "until":
            [
                UnixTime.rfc3339(stored.t0 - 3_600_000_000_000), String(stored.t0), UnixTime.rfc3339(stored.t0 + 60_000_000_000),
                "1970-01-01T00:00:00Z", "2262-04-11T23:47:16.854775807Z", "9223372036854775807", "2027-01-15T08:00:00+05:30", "0",
            ]
        case "limit": ["1", "2", "20", "100", "1000"]
        case "flows": ["1", "10", "10000"]
        case "format": ["mermaid", "dot", "json", "xes", "JSON", "Mermaid"]
        case "errors": ["true", "false"]
        case "attribute": ["\(MessagingKey.messageID)=\(stored.flowIDs[0])-m1", "\(ChoreoKey.eventType)=OrderPlaced", "x=y", "k="]
        case "name": ["send", "process OrderPlaced", "Refund", "zzz"]
        default: ["1", "x"]
        }
    }

    /// Hostile values for any parameter, decoded (percent-encoded when sent).
    static let hostile: [String] = [
        "", " ", ",", ",,,", "-1", "0", "+1", "1.5", "1e3", "0x10", "١٢", "18446744073709551615", "18446744073709551616",
        "99999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        String(repeating: "9", count: 400),
        "2600-01-01T00:00:00Z", "2554-07-21T23:34:34Z", "2554-07-21T23:34:33.709551615Z", "9999-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2262-04-11T23:47:16.854775808Z", "2026-01-01T00:00:00+99:99",
        "2026-01-01T00:00:00-24:00", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00." + String(repeating: "9", count: 3_000) + "Z", "2026-01-01", "yesterday",
        "true", "TRUE", "yes", "null", "NaN", "∞", "注文", "🧾📦", "\u{0}", "a\u{0}b", "\u{202E}evil", "\u{FEFF}",
        "'; DROP TABLE spans; --", "\" OR 1=1 --", "?", "#", "/", "..", "\\", "\r\n", "%", "=", "==", "a=b=c",
        String(repeating: "a", count: 10_000), String(repeating: "é", count: 2_000),
        "json\u{0}", "mermaid ", "XES;", "completed\u{0}", "IN_FLIGHT", "in-flight",
    ]

    /// The hostile values short enough to go into lists of a thousand.
    static let shortHostile = hostile.filter { $0.utf8.count < 100 }

    /// Hostile fragments sent as they are: broken percent-encoding and separators.
    static let rawHostile: [String] = [
        "%", "%z", "%zz", "%0", "%00", "%FF%FE", "%E2%82", "%C0%AF", "a%2Cb", "%2C%2C", "+", "%2B99:99",
        "2026-01-01T00:00:00%2B99:99", "2600-01-01T00:00:00Z%00", "%25", "%%%", "a&b", "&&", "=&=", ";",
    ]

    /// Correlation ids for the path, as URI text.
    static func flowIDs(stored: QueryFuzzStore) -> (valid: [String], hostile: [String]) {
        let valid = stored.flowIDs.map { QueryFuzzEncoding.encode($0) }
        let hostile = [
            "nope", "%", "%zz", "%00", "%2E%2E", "%2E", "%FF", "%20", "a%2Fb", "%E2%82", QueryFuzzEncoding.encode("注文-1"),
            String(repeating: "x", count: 5_000), QueryFuzzEncoding.encode(String(repeating: "é", count: 1_000)), "-1",
            "18446744073709551615", "order-1%00", "%C0%AF", "a%25b",
        ]
        return (valid, hostile)
    }

    /// Trace ids for the path, as URI text.
    static func traceIDs(stored: QueryFuzzStore) -> (valid: [String], hostile: [String]) {
        let valid = stored.traceIDs.map(\.hex) + stored.traceIDs.map { $0.hex.uppercased() }
        let hostile = [
            String(repeating: "0", count: 32), String(repeating: "f", count: 31), String(repeating: "f", count: 33),
            String(repeating: "g", count: 32), String(repeating: "f", count: 5_000), "%00", "%zz", "-1", "18446744073709551615",
            String(repeating: "%41", count: 32), TraceID(high: 77, low: 77).hex, "0x" + String(repeating: "1", count: 30),
        ]
        return (valid, hostile)
    }
}

/// What the fuzzed store holds, so valid values can point at it.
struct QueryFuzzStore: Sendable {
    var t0: UInt64
    var flowIDs: [String]
    var traceIDs: [TraceID]
}

/// Minimal RFC 3986 encoding for a query value or path segment in the fuzz (unreserved kept).
enum QueryFuzzEncoding {
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
