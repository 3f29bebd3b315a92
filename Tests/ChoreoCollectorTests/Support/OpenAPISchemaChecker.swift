import ChoreoModel
import Foundation

/// A JSON value with its exact kind (an integer stays an integer, `true` is not `1`), for
/// checking documents and answers against JSON Schema.
indirect enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let value = try? c.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? c.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? c.decode(UInt64.self) {
            self = .unsigned(value)
        } else if let value = try? c.decode(Double.self) {
            self = .number(value)
        } else if let value = try? c.decode(String.self) {
            self = .string(value)
        } else if let value = try? c.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    static func parse(_ bytes: some Sequence<UInt8>) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    var object: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The JSON Schema type names this value satisfies.
    var schemaTypes: Set<String> {
        switch self {
        case .null: ["null"]
        case .bool: ["boolean"]
        case .integer, .unsigned: ["integer", "number"]
        case .number(let value): value.rounded() == value ? ["integer", "number"] : ["number"]
        case .string: ["string"]
        case .array: ["array"]
        case .object: ["object"]
        }
    }

    var numeric: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .unsigned(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }
}

/// Checks values against the schemas of an OpenAPI 3.1 document: the JSON Schema keywords the
/// collector's document uses (`$ref`, `type`, `enum`, `const`, `required`, `properties`,
/// `additionalProperties`, `items`, `oneOf`, `pattern`, `format: date-time`, `minimum`,
/// `maximum`). An unknown keyword is itself a failure, so the document cannot use one this
/// checker would silently pass.
struct OpenAPISchemaChecker {
    let document: JSONValue

    static let knownKeywords: Set<String> = [
        "$ref", "type", "enum", "const", "required", "properties", "additionalProperties", "items", "oneOf", "pattern", "format",
        "minimum", "maximum", "description", "contentMediaType",
    ]

    /// The value a local reference (`#/components/...`) points at; nil when it points nowhere.
    func resolve(reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: JSONValue? = document
        for raw in reference.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            node = node?[key]
        }
        return node
    }

    /// `node`, or what its `$ref` points at (followed until it is no reference).
    func resolved(_ node: JSONValue) -> JSONValue? {
        var node = node
        var hops = 0
        while let reference = node["$ref"]?.string {
            guard let target = resolve(reference: reference), hops < 20 else { return nil }
            node = target
            hops += 1
        }
        return node
    }

    /// What in `value` breaks `schema`, each at its JSON path; empty when it conforms.
    func violations(of value: JSONValue, against schema: JSONValue, at path: String = "$") -> [String] {
        guard let schema = resolved(schema), let keywords = schema.object else { return ["\(path): the schema does not resolve"] }
        var found: [String] = []
        for keyword in keywords.keys where !Self.knownKeywords.contains(keyword) {
            found.append("\(path): the checker does not know the keyword \(keyword)")
        }
        if let options = keywords["oneOf"]?.array {
            let matching = options.filter { violations(of: value, against: $0, at: path).isEmpty }
            if matching.count != 1 { found.append("\(path): matches \(matching.count) of the oneOf schemas, not exactly one") }
        }
        if let type = keywords["type"] {
            let allowed = Set(type.array?.compactMap(\.string) ?? type.string.map { [$0] } ?? [])
            if allowed.isDisjoint(with: value.schemaTypes) {
                found.append("\(path): \(value.schemaTypes.sorted()) where the schema allows \(allowed.sorted())")
                return found
            }
        }
        if let options = keywords["enum"]?.array, !options.contains(value) { found.append("\(path): \(value) is not one of \(options)") }
        if let constant = keywords["const"], constant != value { found.append("\(path): \(value) is not \(constant)") }
        if let text = value.string {
            if let pattern = keywords["pattern"]?.string, let regex = try? Regex(pattern), (try? regex.firstMatch(in: text)) == nil {
                found.append("\(path): \"\(text)\" does not match \(pattern)")
            }
            if keywords["format"]?.string == "date-time", UnixTime.parseRFC3339(text) == nil {
                found.append("\(path): \"\(text)\" is not an RFC 3339 time")
            }
        }
        if let number = value.numeric {
            if let minimum = keywords["minimum"]?.numeric, number < minimum { found.append("\(path): \(number) < minimum \(minimum)") }
            if let maximum = keywords["maximum"]?.numeric, number > maximum { found.append("\(path): \(number) > maximum \(maximum)") }
        }
        if let object = value.object {
            for key in keywords["required"]?.array?.compactMap(\.string) ?? [] where object[key] == nil {
                found.append("\(path): the required field \(key) is missing")
            }
            let properties = keywords["properties"]?.object ?? [:]
            for (key, member) in object {
                if let property = properties[key] {
                    found += violations(of: member, against: property, at: "\(path).\(key)")
                } else if let additional = keywords["additionalProperties"], additional.object != nil {
                    found += violations(of: member, against: additional, at: "\(path).\(key)")
                }
            }
        }
        if let elements = value.array, let items = keywords["items"] {
            for (index, element) in elements.enumerated() { found += violations(of: element, against: items, at: "\(path)[\(index)]") }
        }
        return found
    }

    /// Every `$ref` in the document, with where it sits.
    func references() -> [(at: String, reference: String)] {
        var found: [(String, String)] = []
        func walk(_ node: JSONValue, _ path: String) {
            switch node {
            case .object(let object):
                for (key, value) in object {
                    if key == "$ref", let reference = value.string { found.append((path, reference)) }
                    walk(value, "\(path)/\(key)")
                }
            case .array(let array):
                for (index, value) in array.enumerated() { walk(value, "\(path)/\(index)") }
            default: break
            }
        }
        walk(document, "#")
        return found
    }
}
