import Foundation

extension OTLPAnyValue {
    /// A compact JSON rendering, used for values the model has no case for (key/value lists,
    /// bytes as base64, mixed or nested arrays).
    var rendered: String {
        var out = ""
        render(into: &out)
        return out
    }

    func render(into out: inout String) {
        switch value {
        case nil: out += "null"
        case .stringValue(let v): Self.quote(v, into: &out)
        case .intValue(let v): out += String(v)
        case .doubleValue(let v): out += v.isFinite ? String(v) : "\"\(v)\""
        case .boolValue(let v): out += v ? "true" : "false"
        case .bytesValue(let v): Self.quote(v.base64EncodedString(), into: &out)
        case .arrayValue(let array):
            out += "["
            for (i, element) in array.values.enumerated() {
                if i > 0 { out += "," }
                element.render(into: &out)
            }
            out += "]"
        case .kvlistValue(let list):
            out += "{"
            for (i, kv) in list.values.enumerated() {
                if i > 0 { out += "," }
                Self.quote(kv.key, into: &out)
                out += ":"
                kv.value.render(into: &out)
            }
            out += "}"
        }
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
