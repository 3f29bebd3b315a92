import Foundation

/// OTLP/JSON writes trace and span ids as hex strings, where protobuf's JSON mapping (which
/// SwiftProtobuf implements) expects base64 for `bytes` fields.
///
/// Hex digits are all base64 digits, so a 32-digit hex trace id decodes as base64 into
/// 24 bytes without loss (and a 16-digit span id into 12). The bridge works on those bytes:
/// after decoding it turns 24 (12) base64 bytes back into their hex text and that into the
/// 16 (8) id bytes; before encoding it does the reverse, so SwiftProtobuf writes the hex
/// text. Ids a sender wrote in base64 (16 or 8 bytes already) pass through unchanged.
enum OTLPHexIDs {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The id bytes of a hex id that SwiftProtobuf read as base64, or `data` unchanged.
    static func fromJSON(_ data: Data, idBytes: Int) -> Data {
        guard data.count == idBytes * 3 / 2 else { return data }
        var id = Data(count: idBytes)
        var nibbles = 0
        var ok = true
        id.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) in
            var i = data.startIndex
            while i < data.endIndex, ok {
                let group = UInt32(data[i]) << 16 | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2])
                for shift in stride(from: 18, through: 0, by: -6) {
                    guard let nibble = hexValue(alphabet[Int(group >> UInt32(shift) & 0x3F)]) else {
                        ok = false
                        break
                    }
                    if nibbles % 2 == 0 { out[nibbles / 2] = nibble << 4 } else { out[nibbles / 2] |= nibble }
                    nibbles += 1
                }
                i += 3
            }
        }
        return ok ? id : data
    }

    /// The bytes that SwiftProtobuf writes as base64 to produce the lower-case hex of `id`.
    /// An id of odd length (invalid anyway) has no such form and stays as is (base64).
    static func toJSON(_ id: Data) -> Data {
        guard id.count % 2 == 0 else { return id }
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(id.count * 2)
        for byte in id {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        var out = Data(capacity: hex.count * 3 / 4)
        var i = 0
        while i + 3 < hex.count {
            let group =
                base64Value(hex[i]) << 18 | base64Value(hex[i + 1]) << 12
                | base64Value(hex[i + 2]) << 6 | base64Value(hex[i + 3])
            out.append(UInt8(truncatingIfNeeded: group >> 16))
            out.append(UInt8(truncatingIfNeeded: group >> 8))
            out.append(UInt8(truncatingIfNeeded: group))
            i += 4
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The base64 value of a hex digit (digits are 52–61, lower-case letters 26–51).
    private static func base64Value(_ c: UInt8) -> UInt32 {
        c <= UInt8(ascii: "9") ? UInt32(c - UInt8(ascii: "0")) + 52 : UInt32(c - UInt8(ascii: "a")) + 26
    }

    /// Rewrites every id of a request read from JSON into raw id bytes.
    static func normalize(_ request: inout OTLPExportRequest) {
        for r in request.resourceSpans.indices {
            for s in request.resourceSpans[r].scopeSpans.indices {
                for p in request.resourceSpans[r].scopeSpans[s].spans.indices {
                    normalize(&request.resourceSpans[r].scopeSpans[s].spans[p])
                }
            }
        }
    }

    private static func normalize(_ span: inout OTLPSpan) {
        span.traceID = fromJSON(span.traceID, idBytes: 16)
        span.spanID = fromJSON(span.spanID, idBytes: 8)
        if !span.parentSpanID.isEmpty { span.parentSpanID = fromJSON(span.parentSpanID, idBytes: 8) }
        if !span.links.isEmpty {
            for l in span.links.indices {
                span.links[l].traceID = fromJSON(span.links[l].traceID, idBytes: 16)
                span.links[l].spanID = fromJSON(span.links[l].spanID, idBytes: 8)
            }
        }
    }

    /// Rewrites every id of a request about to be written as JSON into hex-shaped bytes.
    static func prepareForJSON(_ request: inout OTLPExportRequest) {
        for r in request.resourceSpans.indices {
            for s in request.resourceSpans[r].scopeSpans.indices {
                for p in request.resourceSpans[r].scopeSpans[s].spans.indices {
                    prepare(&request.resourceSpans[r].scopeSpans[s].spans[p])
                }
            }
        }
    }

    private static func prepare(_ span: inout OTLPSpan) {
        span.traceID = toJSON(span.traceID)
        span.spanID = toJSON(span.spanID)
        if !span.parentSpanID.isEmpty { span.parentSpanID = toJSON(span.parentSpanID) }
        if !span.links.isEmpty {
            for l in span.links.indices {
                span.links[l].traceID = toJSON(span.links[l].traceID)
                span.links[l].spanID = toJSON(span.links[l].spanID)
            }
        }
    }
}
