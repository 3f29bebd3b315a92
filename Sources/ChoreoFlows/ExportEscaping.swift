/// Escaping of untrusted names (types, services, ids) for each export format.
///
/// Names come from spans, so anyone who can send a span chooses them: nothing they contain may
/// end a label, start a statement or break the document.
enum ExportEscaping {
    /// Mermaid text: ASCII letters, digits, spaces, `_-.,()/+=@` and visible non-ASCII characters
    /// as is; everything else as an entity code `#<decimal>;`, so no quote, bracket, semicolon,
    /// newline or `%%` survives.
    static func mermaid(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", " ", "_", "-", ".", ",", "(", ")", "/", "+", "=", "@":
                out.unicodeScalars.append(scalar)
            default:
                if scalar.value > 0x9F, !scalar.properties.isWhitespace, scalar.properties.generalCategory != .format {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "#\(scalar.value);"
                }
            }
        }
        return out.isEmpty ? "#160;" : out
    }

    /// A Graphviz double-quoted string body: `\` and `"` escaped, line breaks as `\n`, other
    /// control characters dropped.
    static func dot(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r", "\t": out += " "
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// An XML attribute value: `& < > " '` as entities, tab/newline/CR as character references
    /// (attribute normalisation would turn them into spaces), characters XML 1.0 forbids as U+FFFD.
    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
