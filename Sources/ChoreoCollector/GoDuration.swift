/// Go's duration notation (`time.ParseDuration`), as Jaeger's query API takes `minDuration`
/// and `maxDuration`: decimal numbers, each with a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`,
/// `h`), e.g. `1.2s`, `100ms`, `1h30m`; `0` alone needs none. `d` (24 h) only where asked
/// (Jaeger UI's `lookback`).
enum GoDuration {
    /// The duration as whole nanoseconds; nil when malformed, negative or past `UInt64`.
    static func nanoseconds(_ text: String, days: Bool = false) -> UInt64? {
        var rest = Substring(text)
        if rest.first == "+" { rest.removeFirst() }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        var total: Double = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let scale = scale(of: unit, days: days) else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        let rounded = total.rounded()
        guard rounded.isFinite, rounded < 18_446_744_073_709_551_616.0 else { return nil }
        return UInt64(rounded)
    }

    /// Nanoseconds per unit.
    private static func scale(of unit: Substring, days: Bool) -> Double? {
        switch unit {
        case "ns": return 1
        case "us", "µs", "μs": return 1e3
        case "ms": return 1e6
        case "s": return 1e9
        case "m": return 60e9
        case "h": return 3_600e9
        case "d" where days: return 86_400e9
        default: return nil
        }
    }
}

/// Logfmt (`key=value key2="quoted value" flag`), as Grafana's Jaeger search form takes tags.
enum Logfmt {
    /// The pairs of `text`; a bare key means `true`. Later keys replace earlier ones.
    static func pairs(_ text: String) throws(QueryParameterError) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(text)
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard !rest.isEmpty else { return result }
            let key = rest.prefix { $0 != "=" && $0 != " " && $0 != "\t" && $0 != "\"" }
            guard !key.isEmpty else { throw QueryParameterError("logfmt: a key is expected at \(QueryParameters.quoted(rest))") }
            rest = rest.dropFirst(key.count)
            guard rest.first == "=" else {
                result[String(key)] = "true"
                continue
            }
            rest.removeFirst()
            if rest.first == "\"" {
                rest.removeFirst()
                var value = ""
                var closed = false
                while let c = rest.popFirst() {
                    if c == "\"" {
                        closed = true
                        break
                    }
                    if c == "\\", let escaped = rest.popFirst() {
                        switch escaped {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        default: value.append(escaped)
                        }
                    } else {
                        value.append(c)
                    }
                }
                guard closed else { throw QueryParameterError("logfmt: the quoted value of \(QueryParameters.quoted(key)) is not closed") }
                result[String(key)] = value
            } else {
                let value = rest.prefix { $0 != " " && $0 != "\t" }
                rest = rest.dropFirst(value.count)
                result[String(key)] = String(value)
            }
        }
    }
}
